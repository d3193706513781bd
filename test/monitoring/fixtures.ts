import { StreamingQueryProgress, type ProgressFields, type StateOperatorProgress } from "../../src/streaming/progress.js";

export const QID = "11111111-2222-3333-4444-555555555555";
export const RUN = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

/** A progress report as the engine posts it, with overridable figures. */
export function progress(batchId: number, over: Partial<ProgressFields> & { state?: Partial<StateOperatorProgress>[] } = {}): StreamingQueryProgress {
  const { state, ...rest } = over;
  return new StreamingQueryProgress({
    id: QID,
    runId: RUN,
    name: "meters",
    timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, batchId)).toISOString(),
    batchId,
    batchDuration: 20,
    numInputRows: 100,
    inputRowsPerSecond: 100,
    processedRowsPerSecond: 5000,
    durationMs: { triggerExecution: 20, addBatch: 15, walCommit: 2 },
    eventTime: {},
    stateOperators: (state ?? []).map((s): StateOperatorProgress => ({
      operatorName: "stateStoreSave",
      numRowsTotal: 0,
      numRowsUpdated: 0,
      numRowsRemoved: 0,
      numRowsDroppedByWatermark: 0,
      memoryUsedBytes: 0,
      commitTimeMs: 0,
      allUpdatesTimeMs: 0,
      allRemovalsTimeMs: 0,
      numShufflePartitions: 1,
      numStateStoreInstances: 1,
      customMetrics: {},
      ...s,
    })),
    sources: [],
    sink: { description: "MemorySink", numOutputRows: 10 },
    ...rest,
  });
}

export const started = { id: QID, runId: RUN, name: "meters", timestamp: "2024-01-01T00:00:00.000Z" };
