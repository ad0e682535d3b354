// Masking for personal data leaving the server (SEC-01): enough to confirm, never enough to reuse.

/** 110101199003071234 -> 1101**********1234; passports keep the first letter and last 3. */
export function maskIdNumber(id: string): string {
  if (id.length <= 4) return '*'.repeat(id.length);
  if (id.length >= 15) return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
  return `${id.slice(0, 1)}${'*'.repeat(id.length - 4)}${id.slice(-3)}`;
}

/** Account and contract numbers: only the last 4 digits. */
export const maskAccountNo = (no: string) => `****${no.slice(-4)}`;

/** wang.jianguo@example.com -> w***@example.com */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}
