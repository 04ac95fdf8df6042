// profiles.list, fast enough for 1,000 profiles × 20 actors. Every row is validated with core's
// profileListItemSchema before it leaves (which strips anything not in the public schema, so no
// secret can leave). A validated row is kept with the profile's revision, which triggers raise
// on every write to the profile, its actors or their states (from any connection): a call reads
// the revisions, and reads and validates again only the profiles whose revision changed.
import { TRPCError } from '@trpc/server';
import {
  profileActorStatus,
  mailboxAccessSchema,
  oldestVerifiedAt,
  worstAccess,
  type MailboxAccess,
  profileListItemSchema,
  type ActorVerificationStatus,
  type Delivery,
  type Failure,
  type ProfileListItem,
} from '@email-profiles/core';
import {
  listProfileRevisions,
  listProfileRows,
  type Conn,
  type ProfileListRow,
} from '../db/index.js';

type Kept = { revision: number; item: ProfileListItem };
type Snapshot = { rows: Map<string, Kept>; list: ProfileListItem[] };

const snapshots = new WeakMap<Conn, Snapshot>();

function validate(row: ProfileListRow): ProfileListItem {
  const candidate = {
    profile: {
      ...row.publicFields,
      id: row.id,
      serverType: row.serverType,
      manualCode: row.manualCode,
      actorIds: row.actorIds,
    },
    // An assigned actor without a stored state is unverified.
    actors: row.actorIds.map((actorId) => {
      const state = row.states[actorId];
      return profileActorStatus(actorId, {
        status: (state?.status ?? 'unverified') as ActorVerificationStatus,
        failure: (state?.failure ?? undefined) as Failure | undefined,
        delivery: (state?.delivery ?? undefined) as Delivery | undefined,
        deadlineAt: state?.deadlineAt ?? undefined,
      });
    }),
  };
  const lastVerifiedAt: Record<string, string> = {};
  const seen: MailboxAccess[] = [];
  for (const [actorId, state] of Object.entries(row.states)) {
    if (state.verifiedAt) lastVerifiedAt[actorId] = state.verifiedAt;
    const parsed = mailboxAccessSchema.safeParse(state.access);
    if (parsed.success) seen.push(parsed.data);
  }
  const access = worstAccess(seen);
  const result = profileListItemSchema.safeParse({
    ...candidate,
    oldestVerifiedAt: oldestVerifiedAt(row.actorIds, lastVerifiedAt),
    ...(access ? { access } : {}),
  });
  if (!result.success) {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Output validation failed',
      cause: result.error,
    });
  }
  return result.data;
}

/** One profile's row, as profiles.list has it; undefined once the profile is deleted. */
export function profileListRow(db: Conn, profileId: string): ProfileListItem | undefined {
  const [row] = listProfileRows(db, [profileId]);
  return row && validate(row);
}

/** Every profile with its actors' statuses, in creation order. */
export function profileList(db: Conn): ProfileListItem[] {
  const previous = snapshots.get(db);
  const before = previous?.rows ?? new Map<string, Kept>();
  // One read transaction: the revisions and the rows read again are of the same moment.
  const { revisions, fresh } = db.transaction((tx) => {
    const revisions = listProfileRevisions(tx);
    const changed = revisions.flatMap(([id, revision]) =>
      before.get(id)?.revision === revision ? [] : [id],
    );
    const rows = changed.length === 0 ? [] : listProfileRows(tx, changed);
    return { revisions, fresh: new Map(rows.map((row) => [row.id, row])) };
  });
  if (previous && fresh.size === 0 && revisions.length === before.size) return previous.list;
  const rows = new Map<string, Kept>();
  const list = revisions.map(([id, revision]) => {
    const row = fresh.get(id);
    const entry = row ? { revision, item: validate(row) } : before.get(id);
    if (!entry) throw new Error(`profile "${id}" was listed but not read`);
    rows.set(id, entry);
    return entry.item;
  });
  snapshots.set(db, { rows, list });
  return list;
}
