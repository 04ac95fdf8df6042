// A form's draft holds every variant's fields at once, so what was typed stays while the variant
// (server type, sending method) changes.

/** The fields of every variant of a union, but its discriminant `K`, in one object type. */
export type EveryVariant<U, K extends keyof U> = (
  U extends unknown ? (variant: Omit<U, K>) => void : never
) extends (variant: infer All) => void
  ? All
  : never;
