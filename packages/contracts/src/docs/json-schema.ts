import { z } from 'zod';
import { ackErrorSchema } from '../client-events.js';
import { profileSchema } from '../gamification-http.js';
import { handshake } from '../handshake.js';
import { httpErrorSchema } from '../http.js';
import { notificationSchema } from '../notification.js';
import { leaderboardEntrySchema, validationIssueSchema } from '../server-events.js';

export type JsonSchema = { [key: string]: unknown };

/** Schemas that appear in several places get a name of their own in the documents' components. */
const named = new Map<z.ZodType, string>([
  [notificationSchema, 'Notification'],
  [leaderboardEntrySchema, 'LeaderboardEntry'],
  [validationIssueSchema, 'ValidationIssue'],
  [profileSchema, 'Profile'],
  [httpErrorSchema, 'Error'],
  [ackErrorSchema, 'AckError'],
  [handshake.auth, 'HandshakeAuth'],
]);

/** The schemas' own metadata (descriptions from `.meta()`), plus the component names above. */
class DocsRegistry extends z.core.$ZodRegistry<z.core.GlobalMeta> {
  override get(schema: z.core.$ZodType): z.core.GlobalMeta | undefined {
    const own = z.globalRegistry.get(schema);
    const id = named.get(schema as z.ZodType);
    return id ? { ...own, id } : own;
  }
}
const metadata = new DocsRegistry();

/** Formats whose pattern zod spells out: the format says it, and the pattern would drown the page. */
const FORMATS_WITH_PATTERN = new Set(['uuid', 'date-time', 'email']);

/** Drops `$schema` and the patterns of well-known formats, and points `$ref`s at `refPrefix`. */
function tidy(value: unknown, defsKey: string, refPrefix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => tidy(v, defsKey, refPrefix));
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonSchema = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$schema' || key === defsKey) continue;
    if (key === 'pattern' && FORMATS_WITH_PATTERN.has((value as JsonSchema).format as string)) continue;
    // zod's `.int()` bounds: JavaScript's safe integers, which says nothing a reader needs.
    if ((key === 'maximum' || key === 'minimum') && Math.abs(v as number) === Number.MAX_SAFE_INTEGER) continue;
    if (key === '$ref' && typeof v === 'string') out[key] = v.replace(`#/${defsKey}/`, refPrefix);
    else out[key] = tidy(v, defsKey, refPrefix);
  }
  return out;
}

/**
 * Converts zod schemas to JSON Schema for one document, collecting the named schemas they use into
 * `components` (referenced as `refPrefix + name`) so each is written once.
 */
export class SchemaConverter {
  readonly components: Record<string, JsonSchema> = {};
  private readonly defsKey: string;

  constructor(
    private readonly target: 'draft-07' | 'draft-2020-12',
    private readonly refPrefix: string,
  ) {
    this.defsKey = target === 'draft-07' ? 'definitions' : '$defs';
  }

  /** `io: 'input'` for what a client sends (defaults optional), `'output'` for what it receives. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const raw = z.toJSONSchema(schema, { target: this.target, io, metadata, unrepresentable: 'any' }) as JsonSchema;
    const defs = (raw[this.defsKey] ?? {}) as Record<string, unknown>;
    for (const [name, def] of Object.entries(defs)) this.addComponent(name, tidy(def, this.defsKey, this.refPrefix));
    const root = tidy(raw, this.defsKey, this.refPrefix) as JsonSchema;
    // A named schema converted by itself comes back as a reference to itself.
    if (root.$ref === '#' && typeof raw.id === 'string') {
      const { id, ...rest } = root;
      this.addComponent(id as string, rest);
      return { $ref: this.refPrefix + (id as string) };
    }
    return root;
  }

  private addComponent(name: string, schema: unknown): void {
    const { id: _id, ...rest } = schema as JsonSchema;
    const known = this.components[name];
    if (known && JSON.stringify(known) !== JSON.stringify(rest)) {
      throw new Error(`schema ${name} converts differently in two places (input and output?): name only one`);
    }
    this.components[name] = rest;
  }
}
