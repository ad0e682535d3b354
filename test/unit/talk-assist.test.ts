import { describe, expect, it } from 'vitest';
import { REDACTED, redact, rulesFor } from '../../server/modules/talk/assist.js';

describe('live transcript assist', () => {
  it('cuts card, account and ID numbers and long digit runs out of what was said, in figures or spoken numerals', () => {
    expect(redact('我的卡号是 6222 0212 3456 7890，谢谢')).toBe(`我的卡号是 ${REDACTED}，谢谢`);
    expect(redact('card number 4111-1111-1111-1111 please')).toBe(`card number ${REDACTED} please`);
    expect(redact('身份证 11010519491231002X')).toBe(`身份证 ${REDACTED}`);
    expect(redact('卡号六二二二零二一二三四')).toBe(`卡号${REDACTED}`);
    expect(redact('the code is 4 8 1 5 1 6')).toBe(`the code is ${REDACTED}`);
    // Amounts, short numbers and dates in words stay: the agent needs them.
    expect(redact('转账5000元，2026年11月18日，第3笔')).toBe('转账5000元，2026年11月18日，第3笔');
  });

  it('raises the prompt a phrase calls for, in either language, and nothing for ordinary talk', () => {
    expect(rulesFor('我想销户').map((r) => r.id)).toEqual(['retention']);
    expect(rulesFor('I would like to close my account and put it in a fund').map((r) => r.id)).toEqual(['retention', 'risk_disclosure']);
    expect(rulesFor('我的卡丢了，要挂失').map((r) => r.id)).toEqual(['card_loss']);
    expect(rulesFor('refund the fee')).toEqual([]);
    expect(rulesFor('查一下余额')).toEqual([]);
  });
});
