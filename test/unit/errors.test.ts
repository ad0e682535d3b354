import { describe, expect, it } from 'vitest';
import { AppError, ERRORS } from '../../server/errors.js';

describe('error catalogue', () => {
  it('every code is SB_ERR_<AREA>_<WHAT> with an HTTP error status and a message', () => {
    for (const [code, { status, message }] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^SB_ERR_[A-Z]+_[A-Z_]+$/);
      expect(status >= 400 && status < 600).toBe(true);
      expect(message.length).toBeGreaterThan(5);
    }
  });

  it('an AppError carries its catalogue status', () => {
    const e = new AppError('SB_ERR_CUSTOMER_NOT_FOUND');
    expect(e.statusCode).toBe(404);
    expect(e.message).toBe(ERRORS.SB_ERR_CUSTOMER_NOT_FOUND.message);
  });
});
