// The bridge between vee-validate and the core zod schemas: a TypedSchema over zod's safeParse.
// `toInput` turns the form's state (strings from inputs, every variant's fields) into what the
// schema takes, so the form is validated by exactly the schema the server uses.
import type { TypedSchema, TypedSchemaError } from 'vee-validate';
import type { z } from 'zod';

export function issuesByPath(issues: readonly z.core.$ZodIssue[]): TypedSchemaError[] {
  const byPath = new Map<string, string[]>();
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    const messages = byPath.get(path) ?? [];
    messages.push(issue.message);
    byPath.set(path, messages);
  }
  return [...byPath].map(([path, errors]) => ({ path, errors }));
}

export function zodSchema<Values, S extends z.ZodType>(
  schema: S,
  toInput: (values: Values) => unknown = (values) => values,
): TypedSchema<Values, z.output<S>> {
  return {
    __type: 'VVTypedSchema',
    parse(values: Values) {
      const result = schema.safeParse(toInput(values));
      return Promise.resolve(
        result.success
          ? { value: result.data, errors: [] }
          : { errors: issuesByPath(result.error.issues) },
      );
    },
  };
}

/** An input's text as the schema's optional string: blank means absent. */
export function optionalText(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value.trim() === '' ? undefined : value;
}

/** A number input's value (v-model.number gives '' when empty) as the schema's number. */
export function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
