import { Type, type Static } from 'typebox';
import { MAX_INT } from '../../lib/schema.js';

export const ROLES = ['agent', 'supervisor', 'rm', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Enum([...ROLES]);

export const NewUserSchema = Type.Object({
  username: Type.String({ minLength: 3, maxLength: 64, pattern: '^[a-zA-Z0-9._-]+$' }),
  password: Type.String({ minLength: 8, maxLength: 256 }),
  role: RoleSchema,
  display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  rm_id: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT })),
});
export type NewUser = Static<typeof NewUserSchema>;

export interface User {
  id: number;
  username: string;
  role: Role;
  display_name: string;
  rm_id: number | null;
  active: boolean;
}
