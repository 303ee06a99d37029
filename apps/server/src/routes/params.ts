// Path parameters shared by routes: an object's reference (UUID or integer id, see services/object-ref.ts).
import { Type } from '@fastify/type-provider-typebox';

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
