// Email profiles: list (with each actor's verification status), get, create, update, delete, and
// the manual verification code. Secrets go in sealed and never come back out of the API.
import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import {
  emailProfileCreateSchema,
  emailProfileUpdateSchema,
  generateVerificationCode,
  manualVerification,
  manualVerificationSchema,
  mergeProfileUpdate,
  connectionChanged,
  followProfileChange,
  profileIdSchema,
  publicEmailProfileSchema,
  type EmailProfile,
  type FieldIssue,
  type ProfileListItem,
  type PublicEmailProfile,
} from '@email-profiles/core';
import {
  deleteProfile,
  forgetLastVerified,
  getActor,
  getProfileVerification,
  getPublicProfile,
  getZone,
  loadProfile,
  putProfileVerification,
  saveProfile,
  type Conn,
} from '../db/index.js';
import { operatorProcedure, router } from '../trpc.js';
import { noSuchProfile } from '../verification/target.js';
import { fieldErrors } from './errors.js';
import { profileList } from './profile-list.js';

/** Unknown actors and an unknown zone filter, as field errors. */
export function referenceIssues(db: Conn, input: { actorIds: string[]; zoneId: string | null }) {
  const issues: FieldIssue[] = [];
  const unknown = input.actorIds.filter((actorId) => getActor(db, actorId) === undefined);
  if (unknown.length > 0) {
    issues.push({
      path: ['actorIds'],
      message: `Unknown actor${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`,
    });
  }
  if (input.zoneId !== null && getZone(db, input.zoneId) === undefined) {
    issues.push({ path: ['zoneId'], message: `There is no zone "${input.zoneId}"` });
  }
  return issues;
}

function publicView(db: Conn, id: string): PublicEmailProfile {
  const profile = getPublicProfile(db, id);
  if (!profile) throw noSuchProfile(id);
  return profile;
}

export const profilesRouter = router({
  /**
   * Every profile with its actors' statuses; reads no sealed column. Validated row by row against
   * core's profileListItemSchema (see profile-list.ts), not with .output(), so that an unchanged
   * row is not validated again on every call.
   */
  list: operatorProcedure.query(({ ctx }): ProfileListItem[] => profileList(ctx.db)),

  get: operatorProcedure
    .input(profileIdSchema)
    .output(publicEmailProfileSchema)
    .query(({ ctx, input }) => publicView(ctx.db, input.id)),

  create: operatorProcedure
    .input(emailProfileCreateSchema)
    .output(publicEmailProfileSchema)
    .mutation(({ ctx, input }) => {
      const id = randomUUID();
      const manualCode = generateVerificationCode((n) => crypto.getRandomValues(new Uint8Array(n)));
      const profile = { ...input, id, manualCode } as EmailProfile;
      const created = ctx.db.transaction((tx) => {
        const issues = referenceIssues(tx, input);
        if (issues.length > 0) throw fieldErrors(issues);
        saveProfile(tx, ctx.vault, profile);
        putProfileVerification(tx, id, {
          mode: input.sendVerificationManually ? 'manual' : 'automatic',
          manualCode,
          actors: Object.fromEntries(
            input.actorIds.map((actorId) => [actorId, { status: 'unverified' as const }]),
          ),
        });
        return publicView(tx, id);
      });
      ctx.log.info({ profileId: id, serverType: input.serverType }, 'profile created');
      return created;
    }),

  update: operatorProcedure
    .input(emailProfileUpdateSchema)
    .output(publicEmailProfileSchema)
    .mutation(({ ctx, input }) => {
      const updated = ctx.db.transaction((tx) => {
        const before = loadProfile(tx, ctx.vault, input.id);
        if (!before) throw noSuchProfile(input.id);
        const merged = mergeProfileUpdate(before, input);
        if (!merged.ok) throw fieldErrors(merged.issues);
        const after = merged.value;
        const issues = referenceIssues(tx, after);
        if (issues.length > 0) throw fieldErrors(issues);
        const state = getProfileVerification(tx, after.id);
        if (!state) throw noSuchProfile(after.id);
        const next = followProfileChange(state, before, after);
        if (!next.ok) {
          throw new TRPCError({
            code: 'INTERNAL_SERVER_ERROR',
            message: `The verification state of profile "${after.id}" could not follow the change: ${next.rejection.message}`,
          });
        }
        saveProfile(tx, ctx.vault, after);
        putProfileVerification(tx, after.id, next.state);
        if (connectionChanged(before, after)) forgetLastVerified(tx, after.id);
        return publicView(tx, after.id);
      });
      ctx.verification.profileEdited(input.id);
      ctx.log.info({ profileId: input.id }, 'profile updated');
      return updated;
    }),

  delete: operatorProcedure
    .input(profileIdSchema)
    .output(profileIdSchema)
    .mutation(({ ctx, input }) => {
      if (!deleteProfile(ctx.db, input.id)) throw noSuchProfile(input.id);
      ctx.log.info({ profileId: input.id }, 'profile deleted');
      return { id: input.id };
    }),

  /** Manual mode: the code to send by hand, where to, and the exact subject. */
  verificationCode: operatorProcedure
    .input(profileIdSchema)
    .output(manualVerificationSchema)
    .query(({ ctx, input }) => {
      const profile = publicView(ctx.db, input.id);
      if (!profile.sendVerificationManually) {
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: 'Enable Send verification email manually to use a verification code',
        });
      }
      return manualVerification(profile);
    }),
});
