import { Injectable } from '@nestjs/common';
import { DeletionResponse, DeletionResult } from '@vendure/common/lib/generated-types';
import { SUPER_ADMIN_ROLE_CODE } from '@vendure/common/lib/shared-constants';
import {
    Administrator,
    AdministratorService,
    ChannelService,
    ConfigService,
    EntityNotFoundError,
    EventBus,
    ForbiddenError,
    ID,
    ListQueryBuilder,
    ListQueryOptions,
    normalizeEmailAddress,
    PaginatedList,
    RequestContext,
    RequestContextService,
    Role,
    RoleService,
    SessionService,
    TransactionalConnection,
    User,
    UserInputError,
} from '@vendure/core';
import { In } from 'typeorm';

import { LatLng } from '../../shared/geo';
import { DriverHasOpenAssignmentError } from '../api/error-results';
import { DRIVER_ROLE_CODE, driverSelfPermission } from '../constants';
import { DeliveryAssignment } from '../entities/delivery-assignment.entity';
import { Driver } from '../entities/driver.entity';
import { DriverAccessRevokedEvent } from '../events/driver-access-revoked-event';
import { DriverAvailableEvent } from '../events/driver-available-event';
import { DriverStatusEvent } from '../events/driver-status-event';
import { DriverStatus, OPEN_WITH_DRIVER } from '../types';
import {
    administratorName,
    assertChoosableStatus,
    assertCoordinates,
    CreateDriverExtras,
    CreateDriverInput,
    driverName,
    emailAddressOf,
    phoneNumberOf,
    UpdateDriverInput,
} from './driver-input';
import { DriverLocationService } from './driver-location.service';
import { PingBatcher } from './ping-batcher.service';

/**
 * The platform's drivers (they belong to the default channel): staff manage them, and each driver
 * acts on their own record only, found through the Administrator they log in as.
 */
@Injectable()
export class DriverService {
    constructor(
        private readonly connection: TransactionalConnection,
        private readonly listQueryBuilder: ListQueryBuilder,
        private readonly administratorService: AdministratorService,
        private readonly roleService: RoleService,
        private readonly channelService: ChannelService,
        private readonly requestContextService: RequestContextService,
        private readonly locations: DriverLocationService,
        private readonly eventBus: EventBus,
        private readonly sessionService: SessionService,
        private readonly pingBatcher: PingBatcher,
        private readonly configService: ConfigService,
    ) {}

    async findAll(ctx: RequestContext, options?: ListQueryOptions<Driver>): Promise<PaginatedList<Driver>> {
        const [items, totalItems] = await this.listQueryBuilder
            .build(Driver, options, { ctx })
            .getManyAndCount();
        return { items: items.map(driver => this.withLatestPosition(driver)), totalItems };
    }

    async findOne(ctx: RequestContext, id: ID): Promise<Driver | undefined> {
        const driver = await this.connection.getRepository(ctx, Driver).findOne({ where: { id } });
        return driver ? this.withLatestPosition(driver) : undefined;
    }

    /**
     * The driver record of the logged-in user, if they are a driver. A disabled driver is refused
     * here, so every driver operation refuses them, whatever session they come with.
     */
    async findActive(ctx: RequestContext): Promise<Driver | undefined> {
        if (ctx.activeUserId == null) return undefined;
        const driver = await this.connection
            .getRepository(ctx, Driver)
            .createQueryBuilder('driver')
            .innerJoin('driver.administrator', 'administrator')
            .where('administrator.userId = :userId', { userId: ctx.activeUserId })
            .andWhere('administrator.deletedAt IS NULL')
            .getOne();
        if (driver && !driver.enabled) throw new ForbiddenError();
        return driver ? this.withLatestPosition(driver) : undefined;
    }

    /**
     * Creates the driver and their login: an Administrator with the email address and password,
     * holding the driver Role (only `DriverSelf`), so the driver logs in to the admin API.
     */
    async create(
        ctx: RequestContext,
        input: CreateDriverInput,
        extras: CreateDriverExtras = {},
    ): Promise<Driver> {
        const name = driverName(input.name);
        const phoneNumber = phoneNumberOf(input.phoneNumber);
        const emailAddress = emailAddressOf(input.emailAddress);
        await this.assertPassword(ctx, input.password);
        if (extras.position) assertCoordinates(extras.position);
        const platformCtx = await this.platformContext(ctx);
        const role = await this.driverRole(platformCtx);
        const administrator = await this.administratorService.create(platformCtx, {
            ...administratorName(name),
            emailAddress,
            password: input.password,
            roleIds: [role.id],
        });
        const now = new Date();
        const driver = await this.connection.getRepository(ctx, Driver).save(
            new Driver({
                name,
                phoneNumber,
                emailAddress: normalizeEmailAddress(emailAddress),
                status: extras.status ?? DriverStatus.OFFLINE,
                latitude: extras.position?.latitude ?? null,
                longitude: extras.position?.longitude ?? null,
                lastSeenAt: extras.position ? now : null,
                lastDeliveredAt: null,
                isDemo: extras.isDemo ?? false,
                administratorId: administrator.id as number,
            }),
        );
        if (extras.position) await this.locations.recordPosition(driver.id, extras.position, now);
        await this.locations.statusChanged(driver.id, driver.status);
        return driver;
    }

    /**
     * Staff edit a driver: name, phone number, AVAILABLE or OFFLINE, and enabled. Disabling revokes
     * the driver's sessions, sets them OFFLINE and takes them out of the index, in this
     * transaction; it is refused while they hold a delivery, as deleting is. Enabling again leaves
     * them OFFLINE: they go on duty themselves (or staff set them AVAILABLE).
     */
    async update(ctx: RequestContext, input: UpdateDriverInput): Promise<Driver> {
        // The row lock needs a transaction (the resolver's, when there is one).
        return this.connection.withTransaction(ctx, txCtx => this.updateInTransaction(txCtx, input));
    }

    private async updateInTransaction(ctx: RequestContext, input: UpdateDriverInput): Promise<Driver> {
        // Locked: a claim (a conditional UPDATE on this row) cannot interleave with disabling.
        const driver = await this.getOrThrow(ctx, input.id, { lock: true });
        if (input.status != null) assertChoosableStatus(input.status);
        const enabled = input.enabled ?? driver.enabled;
        if (!enabled && input.status === DriverStatus.AVAILABLE) {
            throw new UserInputError(
                `${driver.name} is disabled: enable them (enabled: true) before setting them AVAILABLE`,
            );
        }
        const disabling = driver.enabled && !enabled;
        // Disabling sets OFFLINE: the same rule as any status change while on a delivery.
        const nextStatus = disabling ? DriverStatus.OFFLINE : (input.status ?? driver.status);
        const statusChanged = nextStatus !== driver.status;
        if ((statusChanged || disabling) && (await this.hasOpenAssignment(ctx, driver.id))) {
            throw new UserInputError(
                `${driver.name} is on a delivery: cancel or reassign it before ${
                    disabling ? 'disabling the driver' : 'changing their status'
                }`,
            );
        }
        if (input.name != null) {
            const name = driverName(input.name);
            driver.name = name;
            if (driver.administratorId != null) {
                await this.administratorService.update(await this.platformContext(ctx), {
                    id: driver.administratorId,
                    ...administratorName(name),
                });
            }
        }
        if (input.phoneNumber !== undefined) driver.phoneNumber = phoneNumberOf(input.phoneNumber);
        driver.status = nextStatus;
        driver.enabled = enabled;
        const saved = await this.connection.getRepository(ctx, Driver).save(driver);
        if (disabling) {
            await this.revokeSessions(ctx, saved);
            await this.eventBus.publish(new DriverAccessRevokedEvent(ctx, saved.id, 'disabled'));
        }
        if (statusChanged) await this.statusChanged(ctx, saved);
        return this.withLatestPosition(saved);
    }

    /** Deletes the driver and their login (the Administrator and its User, soft-deleted as Vendure does). */
    async delete(ctx: RequestContext, id: ID): Promise<DeletionResponse> {
        const driver = await this.getOrThrow(ctx, id);
        if (await this.hasOpenAssignment(ctx, driver.id)) {
            return {
                result: DeletionResult.NOT_DELETED,
                message: `${driver.name} is on a delivery: cancel or reassign it before deleting the driver`,
            };
        }
        if (driver.administratorId != null) {
            await this.administratorService.softDelete(
                await this.platformContext(ctx),
                driver.administratorId,
            );
        }
        await this.connection.getRepository(ctx, Driver).delete({ id: driver.id });
        await this.locations.removed(driver.id);
        await this.eventBus.publish(new DriverAccessRevokedEvent(ctx, driver.id, 'deleted'));
        return { result: DeletionResult.DELETED };
    }

    /**
     * A ping of the logged-in driver: position and heartbeat only, never the status. A ping past
     * the driver's `locationPingLimit` is refused before anything is recorded. Answers once the
     * ping's flush of the {@link PingBatcher} is done (within about `pingFlushIntervalMs`).
     */
    async updateActiveLocation(ctx: RequestContext, position: LatLng): Promise<Driver> {
        assertCoordinates(position);
        const driver = await this.activeOrForbidden(ctx);
        await this.recordPing(driver.id, position, new Date());
        return this.withLatestPosition(driver);
    }

    /**
     * A ping of a driver whose login was checked already (the driver channel checks it once per
     * connection): the same rules as {@link updateActiveLocation} without reading the driver.
     * Bad coordinates are refused at once (`UserInputError`); the rest is decided in the ping's
     * flush: past the limit it rejects with {@link LocationPingRateLimitError}.
     */
    async recordPing(driverId: ID, position: LatLng, at: Date): Promise<void> {
        assertCoordinates(position);
        const outcome = await this.pingBatcher.submit(driverId, position, at);
        if (outcome.recorded) return;
        throw 'refusal' in outcome ? outcome.refusal : outcome.failure;
    }

    /** Whether the driver still exists and is enabled (live connections check it). */
    async isEnabled(driverId: ID): Promise<boolean> {
        return this.connection.rawConnection
            .getRepository(Driver)
            .exists({ where: { id: driverId, enabled: true } });
    }

    /** The logged-in driver goes AVAILABLE or OFFLINE. */
    async setActiveStatus(
        ctx: RequestContext,
        status: DriverStatus,
    ): Promise<Driver | DriverHasOpenAssignmentError> {
        assertChoosableStatus(status);
        const driver = await this.activeOrForbidden(ctx);
        if (driver.status !== status) {
            if (await this.hasOpenAssignment(ctx, driver.id)) {
                return new DriverHasOpenAssignmentError(
                    'You are on a delivery: finish it, or ask dispatch to reassign it, before changing your status',
                );
            }
            await this.connection.getRepository(ctx, Driver).update({ id: driver.id }, { status });
            driver.status = status;
            await this.statusChanged(ctx, driver);
        }
        return driver;
    }

    /** Whether the driver holds an ASSIGNED or PICKED_UP delivery. */
    async hasOpenAssignment(ctx: RequestContext, driverId: ID): Promise<boolean> {
        return this.connection
            .getRepository(ctx, DeliveryAssignment)
            .exists({ where: { driverId, status: In(OPEN_WITH_DRIVER) } });
    }

    /** Tells the index; a driver going AVAILABLE lets waiting deliveries try again (after commit). */
    private async statusChanged(ctx: RequestContext, driver: Driver): Promise<void> {
        await this.locations.statusChanged(driver.id, driver.status);
        await this.eventBus.publish(new DriverStatusEvent(ctx, driver.id, driver.status));
        if (driver.status === DriverStatus.AVAILABLE) {
            await this.eventBus.publish(new DriverAvailableEvent(ctx, driver.id));
        }
    }

    private async activeOrForbidden(ctx: RequestContext): Promise<Driver> {
        const driver = await this.findActive(ctx);
        // Only drivers have a record to act on; anyone else holding DriverSelf (a superadmin) does not.
        if (!driver) throw new ForbiddenError();
        return driver;
    }

    private async getOrThrow(ctx: RequestContext, id: ID, options: { lock?: boolean } = {}): Promise<Driver> {
        const query = this.connection
            .getRepository(ctx, Driver)
            .createQueryBuilder('driver')
            .where('driver.id = :id', { id });
        if (options.lock) query.setLock('pessimistic_write');
        const driver = await query.getOne();
        if (!driver) throw new EntityNotFoundError('Driver', id);
        return driver;
    }

    /**
     * Logs the driver out everywhere, inside the caller's transaction. Vendure also drops the
     * sessions from its session cache (shared through Redis in production), so the old token is
     * refused on its next request; `findActive` refusing disabled drivers covers a cache entry that
     * another request may have written back meanwhile.
     */
    private async revokeSessions(ctx: RequestContext, driver: Driver): Promise<void> {
        if (driver.administratorId == null) return;
        const administrator = await this.connection
            .getRepository(ctx, Administrator)
            .findOne({ where: { id: driver.administratorId }, relations: { user: true } });
        if (administrator?.user) await this.sessionService.deleteSessionsByUser(ctx, administrator.user);
    }

    /** The shop's own password rules (Vendure's `passwordValidationStrategy`), as for any login. */
    private async assertPassword(ctx: RequestContext, password: string): Promise<void> {
        const valid = await this.configService.authOptions.passwordValidationStrategy.validate(ctx, password);
        if (valid !== true) {
            throw new UserInputError(
                typeof valid === 'string'
                    ? `The password is not accepted: ${valid}`
                    : "The password is not accepted by this shop's password rules (by default 4 to 72 characters)",
            );
        }
    }

    /** The database row may lag the latest ping by one flush interval: show the ping. */
    private withLatestPosition(driver: Driver): Driver {
        const ping = this.locations.pendingPosition(driver.id);
        if (ping && (!driver.lastSeenAt || driver.lastSeenAt <= ping.at)) {
            driver.latitude = ping.latitude;
            driver.longitude = ping.longitude;
            driver.lastSeenAt = ping.at;
        }
        return driver;
    }

    /** The Role of every driver's login, created once in the default channel. */
    private async driverRole(platformCtx: RequestContext): Promise<Role> {
        const existing = await this.connection
            .getRepository(platformCtx, Role)
            .findOne({ where: { code: DRIVER_ROLE_CODE } });
        if (existing) return existing;
        const defaultChannel = await this.channelService.getDefaultChannel(platformCtx);
        return this.roleService.create(platformCtx, {
            code: DRIVER_ROLE_CODE,
            description: 'Driver: reports their own position and status, works on their own deliveries',
            permissions: [driverSelfPermission.Permission],
            channelIds: [defaultChannel.id],
        });
    }

    /**
     * The platform (a SuperAdmin, in the default channel) inside the caller's transaction. Drivers'
     * logins are part of the driver record: `CreateDriver`, `UpdateDriver` and `DeleteDriver` are
     * what allow managing them, and Vendure's own rule (only grant a Role whose permissions you hold)
     * would otherwise also demand `DriverSelf` of staff.
     */
    private async platformContext(ctx: RequestContext): Promise<RequestContext> {
        // Only the SuperAdmin Role is loaded: it holds every permission on every channel.
        const superadmin = await this.connection
            .getRepository(ctx, User)
            .createQueryBuilder('user')
            .innerJoinAndSelect('user.roles', 'role', 'role.code = :code', { code: SUPER_ADMIN_ROLE_CODE })
            .leftJoinAndSelect('role.channels', 'channel')
            .where('user.deletedAt IS NULL')
            .orderBy('user.id', 'ASC')
            .getOne();
        if (!superadmin) throw new Error('No SuperAdmin user found to manage driver logins');
        const platform = await this.requestContextService.create({
            apiType: 'admin',
            user: superadmin,
            channelOrToken: await this.channelService.getDefaultChannel(ctx),
            languageCode: ctx.languageCode,
        });
        // Inside the request's transaction, so the login and the driver row commit or roll back
        // together: `copy()` keeps every property of the request's context, the transaction
        // among them (a symbol-keyed one, which a new context lacks), and the platform's own
        // (channel, session, API type, language) replace the request's.
        return Object.assign(ctx.copy(), platform);
    }
}
