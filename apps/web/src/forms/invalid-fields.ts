// The fields a form shows as invalid (aria-invalid), to focus the first and to name them all in
// one announcement rather than one alert per field.
import { nextTick, ref, watch, type Ref } from 'vue';
import { errorMessage, fieldErrorMap } from '../api/errors';

export type InvalidField = { control: HTMLElement; name: string };

/** In the order shown; the checkboxes of a group with a legend (the actors) count as one field. */
export function invalidFields(root: HTMLElement): InvalidField[] {
  const fields = new Map<Element, InvalidField>();
  for (const control of root.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) {
    const group =
      control instanceof HTMLInputElement && control.type === 'checkbox'
        ? control.closest('fieldset')
        : null;
    const legend = group?.querySelector(':scope > legend');
    const key = (legend && group) ?? control;
    if (fields.has(key)) continue;
    const label = 'labels' in control ? (control.labels as NodeListOf<HTMLLabelElement>)[0] : null;
    fields.set(key, { control, name: spoken(legend ?? label) });
  }
  return [...fields.values()];
}

/** E.g. "2 fields need attention: Email Address, Select Actor(s)." */
export function attentionSummary(fields: readonly InvalidField[]): string | undefined {
  if (fields.length === 0) return undefined;
  const count = fields.length === 1 ? '1 field needs' : `${fields.length} fields need`;
  return `${count} attention: ${fields.map((field) => field.name).join(', ')}.`;
}

/** A label's words without what screen readers skip (the required mark). */
function spoken(label: Element | null | undefined): string {
  if (!label) return '';
  const copy = label.cloneNode(true) as Element;
  for (const hidden of copy.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
  return copy.textContent.trim();
}

/**
 * A form's answer to a failed submit: the first invalid field focused and one `summary` to
 * announce (the fields' own errors are descriptions, not alerts). The summary goes once no error
 * of `errors` (vee-validate's) is left among the fields `shown` (all by default, e.g. one step's).
 * `show(false)` only moves the focus (when another message, such as the server's refusal, says
 * what went wrong).
 */
export function useInvalidSummary(
  form: Readonly<Ref<HTMLElement | undefined>>,
  errors: Readonly<Ref<Partial<Record<string, string | undefined>>>>,
  shown: (path: string) => boolean = () => true,
) {
  const summary = ref<string>();
  async function show(announce = true) {
    summary.value = undefined;
    await nextTick();
    const fields = form.value ? invalidFields(form.value) : [];
    fields[0]?.control.focus();
    if (announce) summary.value = attentionSummary(fields);
  }
  watch(
    () => Object.entries(errors.value).some(([path, message]) => message && shown(path)),
    (any) => {
      if (!any) summary.value = undefined;
    },
  );
  /**
   * A server's refusal: its field errors go on their fields (and are summarised); returns its
   * message when it named no field.
   */
  function refused(error: unknown, setErrors: (fields: Record<string, string>) => void) {
    const fields = fieldErrorMap(error);
    if (Object.keys(fields).length === 0) return errorMessage(error);
    setErrors(fields);
    void show();
    return undefined;
  }
  return { summary, show, refused };
}
