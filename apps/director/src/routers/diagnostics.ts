// Connectivity checks: the probe run from one or all of a profile's actors, streamed stage by
// stage.
import { TRPCError } from '@trpc/server';
import {
  diagnosticsRunIdSchema,
  diagnosticsRunSchema,
  diagnosticsSnapshotSchema,
} from '@email-profiles/core';
import { operatorProcedure, router } from '../trpc.js';

const noSuchRun = (runId: string) =>
  new TRPCError({
    code: 'NOT_FOUND',
    message: `There is no connectivity check "${runId}" (checks are kept until the Director restarts)`,
  });

export const diagnosticsRouter = router({
  run: operatorProcedure
    .input(diagnosticsRunSchema)
    .output(diagnosticsSnapshotSchema)
    .mutation(({ ctx, input }) => ctx.diagnostics.start(input)),

  get: operatorProcedure
    .input(diagnosticsRunIdSchema)
    .output(diagnosticsSnapshotSchema)
    .query(({ ctx, input }) => {
      const run = ctx.diagnostics.get(input.runId);
      if (!run) throw noSuchRun(input.runId);
      return run;
    }),

  /** The check as it is now, then again each time it changes, until it is done. */
  onRun: operatorProcedure.input(diagnosticsRunIdSchema).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    const first = ctx.diagnostics.get(input.runId);
    if (!first) throw noSuchRun(input.runId);
    yield diagnosticsSnapshotSchema.parse(first);
    if (first.done) return;
    for await (const runId of ctx.events.diagnostics(signal)) {
      if (runId !== input.runId) continue;
      const run = ctx.diagnostics.get(runId);
      if (!run) return;
      yield diagnosticsSnapshotSchema.parse(run);
      if (run.done) return;
    }
  }),
});
