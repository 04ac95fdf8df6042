// A form over a draft whose parts (MailServerFields, a server type's fields) define their own
// fields, through useFormContext, when they are shown.
import {
  useField,
  useForm,
  type FormOptions,
  type GenericObject,
  type TypedSchema,
} from 'vee-validate';

/**
 * vee-validate's useForm, with every field of the draft registered at once, as if all were shown:
 * a field first shown later (the next step, another server type's fields) would otherwise flash,
 * on its first render, the errors the schema found for it while it was hidden.
 */
export function useDraftForm<Values extends GenericObject>(
  options: FormOptions<Values, GenericObject, TypedSchema<Values, GenericObject>>,
) {
  const form = useForm(options);
  for (const path of leafPaths(options.initialValues ?? {})) {
    useField(path, undefined, { keepValueOnUnmount: true });
  }
  return form;
}

/** The path of each value in a draft, e.g. "incoming.tlsTrust.mode"; an array is one value. */
function leafPaths(draft: object, prefix = ''): string[] {
  return Object.entries(draft).flatMap(([key, value]: [string, unknown]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? leafPaths(value, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}
