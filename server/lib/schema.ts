import { Type } from 'typebox';

/** A value or null: the shape of every optional column in the API. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
