import { LmdbStateStoreProvider } from "../../src/state/lmdb-state-store.js";
import { runStateStoreContract } from "./state-store-contract.js";

runStateStoreContract("lmdb", (id, conf) => new LmdbStateStoreProvider(id, conf));
