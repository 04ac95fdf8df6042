// profiles.list, built fast enough for 1,000 profiles × 20 actors. Every row is validated with
// core's profileListItemSchema before it leaves (which strips anything not in the public schema,
// so no secret can leave); a validated row is kept, with the stored text it came from, and
// reused while that text is unchanged: the same input gives the same output. Only what changed
// is read again: nothing while no profile, assignment or state changed; the profiles the
// Director's own writes touched; everything after another connection's commit.
import { TRPCError } from '@trpc/server';
import {
  profileActorStatus,
  profileListItemSchema,
  type ActorVerificationStatus,
  type Delivery,
  type Failure,
  type ProfileListItem,
} from '@email-profiles/core';
import {
  listProfileIds,
  listProfileRows,
  takeProfileListChanges,
  type Conn,
  type ProfileListRow,
} from '../db/index.js';

type Validated = { row: ProfileListRow; item: ProfileListItem };
type Snapshot = { dataVersion: number; rows: Map<string, Validated>; list: ProfileListItem[] };

const snapshots = new WeakMap<Conn, Snapshot>();

function sameRow(a: ProfileListRow, b: ProfileListRow): boolean {
  return (
    a.statuses === b.statuses &&
    a.actors === b.actors &&
    a.publicFields === b.publicFields &&
    a.failures === b.failures &&
    a.deliveries === b.deliveries &&
    a.serverType === b.serverType &&
    a.manualCode === b.manualCode
  );
}

/** `word word …` split into [before, after] the first colon of each word. */
function pairs(words: string): [string, string][] {
  if (words === '') return [];
  return words.split(' ').map((word) => {
    const colon = word.indexOf(':');
    return [word.slice(0, colon), word.slice(colon + 1)];
  });
}

function validate(row: ProfileListRow): ProfileListItem {
  const actorIds = pairs(row.actors)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, actorId]) => actorId);
  const statuses = new Map(pairs(row.statuses));
  const failures = JSON.parse(row.failures) as Record<string, Failure>;
  const deliveries = JSON.parse(row.deliveries) as Record<string, Delivery>;
  const candidate = {
    profile: {
      ...(JSON.parse(row.publicFields) as object),
      id: row.id,
      serverType: row.serverType,
      manualCode: row.manualCode,
      actorIds,
    },
    // An assigned actor without a stored state is unverified.
    actors: actorIds.map((actorId) =>
      profileActorStatus(
        actorId,
        (statuses.get(actorId) ?? 'unverified') as ActorVerificationStatus,
        failures[actorId],
        deliveries[actorId],
      ),
    ),
  };
  const result = profileListItemSchema.safeParse(candidate);
  if (!result.success) {
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Output validation failed',
      cause: result.error,
    });
  }
  return result.data;
}

/** Every profile with its actors' statuses, each row validated against the public schema. */
export function profileList(db: Conn): ProfileListItem[] {
  const { dataVersion, touched } = takeProfileListChanges(db);
  const previous = snapshots.get(db);
  // What was touched is now taken: if this call fails, the next one must read everything.
  snapshots.delete(db);
  let stored: ProfileListRow[];
  if (previous !== undefined && previous.dataVersion === dataVersion) {
    // Only this connection wrote: read again the profiles it touched, keep the others.
    if (touched.length === 0) {
      snapshots.set(db, previous);
      return previous.list;
    }
    const ids = listProfileIds(db);
    const again = new Set([...touched, ...ids.filter((id) => !previous.rows.has(id))]);
    const fresh = new Map(listProfileRows(db, [...again]).map((row) => [row.id, row]));
    stored = ids.flatMap((id) => {
      const row = fresh.get(id) ?? previous.rows.get(id)?.row;
      return row ? [row] : [];
    });
  } else {
    stored = listProfileRows(db);
  }
  const rows = new Map<string, Validated>();
  const list = stored.map((row) => {
    const known = previous?.rows.get(row.id);
    const entry = known && sameRow(known.row, row) ? known : { row, item: validate(row) };
    rows.set(row.id, entry);
    return entry.item;
  });
  snapshots.set(db, { dataVersion, rows, list });
  return list;
}
