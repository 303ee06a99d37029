// Small acknowledgements several routes answer with.
import { Type } from 'typebox';

export const Deleted = Type.Object({ id: Type.String(), deleted: Type.Boolean() });
/** Accepted for the outbox; the result shows in the deliveries. */
export const Queued = Type.Object({ queued: Type.Boolean() });
