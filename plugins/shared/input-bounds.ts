import { ID, UserInputError } from '@vendure/core';

/**
 * Upper bounds of what a client may send to the suite's operations. Every string argument has one
 * (DESIGN: inputs are bounded), so nothing a client sends grows a cache key, a log line or a row
 * without limit.
 */
export const INPUT_LIMITS = {
    postalCode: 16,
    countryCode: 2,
    orderCode: 64,
    name: 100,
    address: 200,
    phoneNumber: 32,
    emailAddress: 254,
    reasonCode: 32,
    /** Reasons and notes staff and drivers write. */
    note: 500,
    deliveryCode: 16,
    /** Ids in one list argument (`deliveryAvailability`). */
    idList: 100,
} as const;

/** The largest id PostgreSQL's `integer` holds: Vendure's auto-increment ids. */
const MAX_INT_ID = 2_147_483_647;
/** The ids of Vendure's UuidIdStrategy. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How much of a user-supplied string a log line or an error message repeats. */
const ECHO_LENGTH = 40;

/**
 * A string argument, checked: at most `max` characters, no NUL or other control characters (a NUL
 * byte is not even storable in PostgreSQL text). Throws a UserInputError naming the field.
 */
export function boundedText(value: string, field: string, max: number): string {
    if (value.length > max) {
        throw new UserInputError(`${field} is too long: at most ${max} characters (got ${value.length})`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value)) {
        throw new UserInputError(`${field} contains control characters: send plain text`);
    }
    return value;
}

/** {@link boundedText} for an optional argument: null and undefined pass unchanged. */
export function optionalBoundedText<T extends string | null | undefined>(
    value: T,
    field: string,
    max: number,
): T {
    if (value == null) return value;
    boundedText(value, field, max);
    return value;
}

/**
 * An id argument of one of the suite's entities (or Vendure's): a whole number from 1 to the
 * largest PostgreSQL integer (auto-increment ids), or a UUID (Vendure's UuidIdStrategy). Anything
 * else ("1.5", "-1", "abc", 99999999999) is refused with a clear message instead of reaching the
 * database.
 */
export function entityId(value: ID, what: string): ID {
    const text = String(value).trim();
    if (UUID.test(text)) return text;
    const id = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(id) || id < 1 || id > MAX_INT_ID) {
        throw new UserInputError(
            `"${forLog(text)}" is not a valid ${what} id: ids are whole numbers from 1, or UUIDs`,
        );
    }
    return id;
}

/** An id list argument: at most {@link INPUT_LIMITS.idList} ids, each valid. */
export function entityIds(values: readonly ID[], what: string, max: number = INPUT_LIMITS.idList): ID[] {
    if (values.length > max) {
        throw new UserInputError(`Too many ${what} ids: at most ${max} per request (got ${values.length})`);
    }
    return values.map(value => entityId(value, what));
}

/** A list query's options, as the suite's list queries take them (Vendure checks `take`'s upper bound). */
export interface ListOptionsInput {
    skip?: number | null;
    take?: number | null;
    filter?: unknown;
}

/**
 * Checks what Vendure's ListQueryBuilder passes to the database as given: `skip` and `take` are 0
 * or more, filter strings are bounded and plain, and a `regex` filter is a regular expression (a
 * broken one would otherwise come back as a database message).
 */
export function checkListOptions(options: ListOptionsInput | null | undefined): void {
    if (!options) return;
    for (const name of ['skip', 'take'] as const) {
        const value = options[name];
        if (value != null && (!Number.isInteger(value) || value < 0)) {
            throw new UserInputError(`${name} must be a whole number, 0 or more (got ${value})`);
        }
    }
    checkFilter(options.filter, 'filter');
}

function checkFilter(filter: unknown, path: string, idField = false): void {
    if (filter == null || typeof filter !== 'object') return;
    for (const [key, value] of Object.entries(filter)) {
        const where = `${path}.${key}`;
        // Operators of an id field (id, orderId, ...) take ids: checked before the database sees them.
        const ofId = idField || key === 'id' || key.endsWith('Id');
        if (typeof value === 'string') {
            boundedText(value, where, INPUT_LIMITS.note);
            if (idField && key !== 'isNull') entityId(value, where);
            if (key === 'regex') {
                try {
                    new RegExp(value);
                } catch {
                    throw new UserInputError(`${where} is not a valid regular expression`);
                }
            }
        } else if (typeof value === 'number') {
            // Vendure has already decoded ids to numbers here ("1.5" is 1.5 by now).
            if (idField) entityId(value, where);
        } else if (Array.isArray(value)) {
            for (const item of value) checkFilter({ [key]: item as unknown }, path, idField);
        } else {
            checkFilter(value, where, ofId && typeof value === 'object');
        }
    }
}

/** A user-supplied string as it may appear in a log line or a message: cut, control characters shown. */
export function forLog(value: string, max: number = ECHO_LENGTH): string {
    // eslint-disable-next-line no-control-regex
    const printable = value.replace(/[\u0000-\u001F\u007F]/g, '\uFFFD');
    return printable.length > max ? `${printable.slice(0, max)}… (${value.length} characters)` : printable;
}
