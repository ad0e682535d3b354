/** A form-encoded body as Twilio sends it: repeated keys (StatusCallbackEvent=a&StatusCallbackEvent=b) kept as arrays. */
export type FormParams = Record<string, string | string[]>;

/** Parses a form body; the webhooks and the simulator read Twilio's forms with this one parser. */
export function parseForm(body: string): FormParams {
  const params: FormParams = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const prior = params[key];
    params[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return params;
}

export function encodeForm(params: FormParams): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
  }
  return out.toString();
}
