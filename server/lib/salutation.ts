// Two-character surnames common enough to matter; any other Chinese name starts with a one-character surname.
const COMPOUND_SURNAMES = new Set(['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐', '端木', '西门', '南宫', '独孤']);

/**
 * How the IVR addresses a caller it has identified but not yet verified: title and surname only
 * (王先生, Ms Carter), so whoever holds the phone does not hear the customer's full name. A
 * Chinese customer's romanised name puts the surname first (Wang Jianguo); a foreign one last.
 */
export function salutation(c: { name_zh: string | null; name_en: string | null; gender: string }): { zh: string | null; en: string | null } {
  const zhSurname = c.name_zh ? (COMPOUND_SURNAMES.has(c.name_zh.slice(0, 2)) ? c.name_zh.slice(0, 2) : c.name_zh.slice(0, 1)) : null;
  const words = (c.name_en ?? '').trim().split(/\s+/).filter(Boolean);
  const enSurname = words.length === 0 ? null : c.name_zh ? words[0]! : words[words.length - 1]!;
  const zhTitle = c.gender === 'M' ? '先生' : c.gender === 'F' ? '女士' : '先生/女士';
  const enTitle = c.gender === 'M' ? 'Mr' : c.gender === 'F' ? 'Ms' : null;
  return {
    zh: zhSurname ? `${zhSurname}${zhTitle}` : enSurname ? `${enSurname}${zhTitle}` : null,
    en: enSurname && enTitle ? `${enTitle} ${enSurname}` : null,
  };
}
