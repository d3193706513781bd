import { MemoryStateStoreProvider } from "../../src/state/memory-state-store.js";
import { runStateStoreContract } from "./state-store-contract.js";

runStateStoreContract("memory", (id, conf) => new MemoryStateStoreProvider(id, conf));
