import { SluiceError } from "../errors/errors.js";

/**
 * A checkpoint that cannot be used: written by a newer Sluice, corrupt, or not fitting the query
 * (its message says which file and what changed).
 */
export class CheckpointError extends SluiceError {}
