import { Injectable, OnModuleInit } from '@nestjs/common';
import { StockLocation, TransactionalConnection, UserInputError } from '@vendure/core';
import { EntitySubscriberInterface, InsertEvent, UpdateEvent } from 'typeorm';

/**
 * Refuses to save a store at latitude 0 and longitude 0 together: that is what a form sends when
 * nobody typed the coordinates, not a place a store stands. A custom field's own validation sees
 * one field only, so the pair is checked here, before the row is written; the mutation fails with
 * the reason and changes nothing.
 */
@Injectable()
export class StoreCoordinatesSubscriber implements EntitySubscriberInterface<StockLocation>, OnModuleInit {
    constructor(private readonly connection: TransactionalConnection) {}

    onModuleInit() {
        this.connection.rawConnection.subscribers.push(this);
    }

    listenTo() {
        return StockLocation;
    }

    beforeInsert(event: InsertEvent<StockLocation>) {
        refuseNullIsland(event.entity);
    }

    beforeUpdate(event: UpdateEvent<StockLocation>) {
        refuseNullIsland(event.entity);
    }
}

function refuseNullIsland(entity: Partial<StockLocation> | undefined) {
    const fields = entity?.customFields;
    if (fields && fields.latitude === 0 && fields.longitude === 0) {
        throw new UserInputError(
            'Latitude 0 and longitude 0 together is not a store location: enter the store coordinates, or leave both empty',
        );
    }
}
