import { Type } from 'typebox';

/** A value or null: the shape of every optional column in the API. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** The largest PostgreSQL `integer`: every integer a request carries is bounded by it (or less). */
export const MAX_INT = 2_147_483_647;
/** Money columns are decimal(18,2): 16 digits before the point. A quadrillion stays well inside. */
export const MAX_MONEY = 1e15;

/** The path of a resource named by an integer id (a customer, an agent). */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: MAX_INT }) });

/** A count or a number of seconds, days…: fits an `integer` column. */
export const Count = (opts: { description?: string; maximum?: number } = {}) => Type.Integer({ minimum: 0, maximum: MAX_INT, ...opts });
/** An amount of money that cannot be negative (a balance can: use `SignedMoney`). */
export const Money = (opts: { description?: string } = {}) => Type.Number({ minimum: 0, maximum: MAX_MONEY, ...opts });
export const SignedMoney = (opts: { description?: string } = {}) => Type.Number({ minimum: -MAX_MONEY, maximum: MAX_MONEY, ...opts });

// The shapes of a holding's fields, the same whether they come by the customers API or a feed file.
/** A calendar date, YYYY-MM-DD. */
export const DateOnly = Type.String({ format: 'date' });
/** An ISO 4217 currency code. */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
/** An interest rate in percent a year. */
export const RatePct = Type.Number({ minimum: 0, maximum: 100 });
/** A time deposit's or a loan's term. */
export const TermMonths = Type.Integer({ minimum: 1, maximum: 600 });
