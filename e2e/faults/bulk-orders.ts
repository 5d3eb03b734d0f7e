/**
 * Paid orders in bulk: real checkouts (through the shop API) are cloned in SQL, row by row with
 * every foreign key between the cloned rows pointing at the clones, so each clone is what the
 * checkout left behind: an aggregate order and its seller order, their lines (with the serving
 * store that seller-store-info chose), shipping lines, payments, channels and stock allocations.
 * What is under test is the dispatch, not N checkouts.
 */
import { Client } from 'pg';

/** A checkout to copy: its aggregate order and its one seller order (the order that is delivered). */
export interface TemplateOrder {
    aggregateOrderId: number;
    sellerOrderId: number;
}

interface CloneStep {
    table: string;
    /** Rows of the template to copy (each copied once per clone). */
    rowIds: number[];
    /** Column → SQL expression over `r` (the template row) and `m` (its clone: `m.g`, `m.new_id`). */
    overrides?: Record<string, string>;
}

/**
 * `count` clones of the templates (spread evenly over them), in one transaction. Each clone's
 * drop-off moves up to `jitterDegrees` from its template's, so deliveries spread over the area.
 * Returns the ids of the cloned seller orders, the ones to mark ready.
 */
export async function cloneOrders(
    db: Client,
    templates: TemplateOrder[],
    count: number,
    jitterDegrees = 0.01,
): Promise<number[]> {
    const sellerOrderIds: number[] = [];
    await db.query('BEGIN');
    try {
        await db.query(
            'CREATE TEMP TABLE clone_ids (tbl text, old_id int, g int, new_id int) ON COMMIT DROP',
        );
        await db.query('CREATE INDEX ON clone_ids (tbl, old_id, g)');
        for (const [index, template] of templates.entries()) {
            const clones = Math.floor(count / templates.length) + (index < count % templates.length ? 1 : 0);
            if (clones > 0) sellerOrderIds.push(...(await cloneOne(db, template, clones, jitterDegrees)));
            await db.query('TRUNCATE clone_ids');
        }
        await db.query('COMMIT');
    } catch (error) {
        await db.query('ROLLBACK');
        throw error;
    }
    return sellerOrderIds;
}

async function cloneOne(
    db: Client,
    template: TemplateOrder,
    clones: number,
    jitter: number,
): Promise<number[]> {
    const orderIds = [template.aggregateOrderId, template.sellerOrderId];
    const ids = async (sql: string) =>
        (await db.query<{ id: number }>(sql, [orderIds])).rows.map(row => row.id);
    const shippingLines = await ids('SELECT id FROM shipping_line WHERE "orderId" = ANY($1) ORDER BY id');
    const lines = await ids('SELECT id FROM order_line WHERE "orderId" = ANY($1) ORDER BY id');
    const payments = await ids('SELECT id FROM payment WHERE "orderId" = ANY($1) ORDER BY id');
    const allocations = (
        await db.query<{ id: number }>(
            `SELECT id FROM stock_movement WHERE type = 'ALLOCATION' AND "orderLineId" = ANY($1) ORDER BY id`,
            [lines],
        )
    ).rows.map(row => row.id);
    const shift = `(random() * 2 - 1) * ${Number(jitter)}`;
    const steps: CloneStep[] = [
        {
            table: 'order',
            rowIds: orderIds,
            overrides: {
                code: `'FLT' || m.new_id`,
                customFieldsDeliverylatitude: `r."customFieldsDeliverylatitude" + ${shift}`,
                customFieldsDeliverylongitude: `r."customFieldsDeliverylongitude" + ${shift}`,
            },
        },
        { table: 'shipping_line', rowIds: shippingLines },
        { table: 'order_line', rowIds: lines },
        { table: 'payment', rowIds: payments },
        { table: 'stock_movement', rowIds: allocations },
    ];
    for (const step of steps) await cloneRows(db, step, clones);
    await db.query(
        `INSERT INTO order_channels_channel ("orderId", "channelId")
         SELECT m.new_id, c."channelId" FROM order_channels_channel c
         JOIN clone_ids m ON m.tbl = 'order' AND m.old_id = c."orderId"`,
    );
    // The clones' allocations hold stock as the template's did, and each clone can be fulfilled.
    await db.query(
        `UPDATE stock_level s SET "stockAllocated" = s."stockAllocated" + a.quantity * $2, "stockOnHand" = s."stockOnHand" + a.quantity * $2
         FROM (SELECT "productVariantId", "stockLocationId", SUM(quantity) AS quantity FROM stock_movement
               WHERE id = ANY($1) GROUP BY 1, 2) a
         WHERE s."productVariantId" = a."productVariantId" AND s."stockLocationId" = a."stockLocationId"`,
        [allocations, clones],
    );
    const sellers = await db.query<{ new_id: number }>(
        `SELECT new_id FROM clone_ids WHERE tbl = 'order' AND old_id = $1 ORDER BY g`,
        [template.sellerOrderId],
    );
    return sellers.rows.map(row => row.new_id);
}

/**
 * Copies the step's rows `clones` times with ids taken from the table's sequence beforehand, so
 * each copy's id is known (recorded in `clone_ids`) and the foreign keys of later rows (and of
 * this table's own, as a seller order's aggregate order) point at copies of the same clone.
 */
async function cloneRows(db: Client, step: CloneStep, clones: number): Promise<void> {
    if (!step.rowIds.length) return;
    const table = quote(step.table);
    const newIds = (
        await db.query<{ id: number }>(
            `SELECT nextval(pg_get_serial_sequence($1, 'id'))::int AS id FROM generate_series(1, $2)`,
            [table, step.rowIds.length * clones],
        )
    ).rows.map(row => row.id);
    const oldIds: number[] = [];
    const generations: number[] = [];
    for (let g = 1; g <= clones; g++) {
        for (const id of step.rowIds) {
            oldIds.push(id);
            generations.push(g);
        }
    }
    await db.query(
        `INSERT INTO clone_ids (tbl, old_id, g, new_id)
         SELECT $1, old_id, g, new_id FROM unnest($2::int[], $3::int[], $4::int[]) AS u(old_id, g, new_id)`,
        [step.table, oldIds, generations, newIds],
    );
    const columns = (
        await db.query<{ column_name: string }>(
            `SELECT column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND column_name <> 'id'
               AND is_generated = 'NEVER' ORDER BY ordinal_position`,
            [step.table],
        )
    ).rows.map(row => row.column_name);
    const foreignKeys = new Map(
        (
            await db.query<{ column_name: string; referenced: string }>(
                `SELECT kcu.column_name, ccu.table_name AS referenced
                 FROM information_schema.table_constraints tc
                 JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
                 JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = $1`,
                [step.table],
            )
        ).rows.map(row => [row.column_name, row.referenced]),
    );
    const values = columns.map(column => {
        const override = step.overrides?.[column];
        if (override) return override;
        const referenced = foreignKeys.get(column);
        if (!referenced) return `r.${quote(column)}`;
        return `COALESCE((SELECT x.new_id FROM clone_ids x WHERE x.tbl = '${referenced}'
                  AND x.old_id = r.${quote(column)} AND x.g = m.g), r.${quote(column)})`;
    });
    await db.query(
        `INSERT INTO ${table} (id, ${columns.map(quote).join(', ')})
         SELECT m.new_id, ${values.join(', ')} FROM ${table} r
         JOIN clone_ids m ON m.tbl = $1 AND m.old_id = r.id ORDER BY m.new_id`,
        [step.table],
    );
}

function quote(identifier: string): string {
    return `"${identifier.replace(/"/g, '""')}"`;
}
