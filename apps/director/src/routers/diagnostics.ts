// Connectivity checks: the probe run from one or all of a profile's actors, streamed stage by
// stage.
import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import {
  diagnosticsDraftSchema,
  diagnosticsRunIdSchema,
  diagnosticsRunSchema,
  diagnosticsSnapshotSchema,
  mergeProfileUpdate,
  taskProfileSchema,
  type DiagnosticsDraft,
} from '@email-profiles/core';
import { loadProfile } from '../db/index.js';
import { DomainError } from '../domain-error.js';
import { operatorProcedure, router, type Context } from '../trpc.js';
import { noSuchProfile } from '../verification/target.js';
import { fieldErrors } from './errors.js';
import { referenceIssues } from './profiles.js';

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

  /** The same check on a profile as the form holds it, before it is saved: nothing is stored. */
  runDraft: operatorProcedure
    .input(diagnosticsDraftSchema)
    .output(diagnosticsSnapshotSchema)
    .mutation(({ ctx, input }) => {
      const { profile, profileId } = draftProfile(ctx, input);
      if (!profile.actorIds.includes(input.actorId)) {
        throw new DomainError(
          'invalid',
          'Assign the actor to the profile first: a check runs from the actors the profile assigns',
          'actorIds',
        );
      }
      const issues = referenceIssues(ctx.db, profile);
      if (issues.length > 0) throw fieldErrors(issues);
      return ctx.diagnostics.startDraft({
        profile: taskProfileSchema.parse(profile),
        profileId,
        actorId: input.actorId,
      });
    }),

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

/** The draft as the profile it would be: a new one, or the stored one with the edit merged in. */
function draftProfile(ctx: Context, input: DiagnosticsDraft) {
  if (input.kind === 'new') {
    return { profile: { ...input.profile, id: randomUUID() }, profileId: null };
  }
  const before = loadProfile(ctx.db, ctx.vault, input.profile.id);
  if (!before) throw noSuchProfile(input.profile.id);
  const merged = mergeProfileUpdate(before, input.profile);
  if (!merged.ok) throw fieldErrors(merged.issues);
  return { profile: merged.value, profileId: before.id };
}
