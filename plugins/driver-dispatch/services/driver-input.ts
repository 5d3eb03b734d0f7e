import { ID, isEmailAddressLike, UserInputError } from '@vendure/core';

import { coordinateProblem, LatLng } from '../../shared/geo';
import { boundedText, forLog, INPUT_LIMITS } from '../../shared/input-bounds';
import { DriverStatus } from '../types';

/*
 * What staff and drivers send about a driver, and its checks: bounded, and refused with a message
 * a person can act on (a UserInputError) before anything is written. Used by the DriverService.
 */

export interface CreateDriverInput {
    name: string;
    phoneNumber?: string | null;
    emailAddress: string;
    password: string;
}

export interface UpdateDriverInput {
    id: ID;
    name?: string | null;
    phoneNumber?: string | null;
    status?: DriverStatus | null;
    /** false disables the driver (sessions revoked, OFFLINE, out of the index); true enables them again. */
    enabled?: boolean | null;
}

/** What code (not the API) may set on a new driver: the demo seeds a positioned, AVAILABLE fleet. */
export interface CreateDriverExtras {
    isDemo?: boolean;
    position?: LatLng;
    status?: DriverStatus;
}

/** Digits, spaces and the usual separators, with an optional leading +; at least 5 digits. */
const PHONE_PATTERN = /^\+?[0-9][0-9 ().\-/]*$/;
const PHONE_MIN_DIGITS = 5;

/** The statuses a driver or staff may choose; BUSY is set and cleared by dispatch only. */
const CHOOSABLE_STATUSES: DriverStatus[] = [DriverStatus.AVAILABLE, DriverStatus.OFFLINE];

/** BUSY belongs to dispatch: a driver or staff choose AVAILABLE or OFFLINE. */
export function assertChoosableStatus(status: DriverStatus): void {
    if (!CHOOSABLE_STATUSES.includes(status)) {
        throw new UserInputError(
            `A driver's status can be set to AVAILABLE or OFFLINE; ${status} belongs to dispatch`,
        );
    }
}

export function assertCoordinates(position: LatLng): void {
    const problem = coordinateProblem(position.latitude, position.longitude);
    if (problem) throw new UserInputError(problem);
}

export function driverName(value: string): string {
    const name = boundedText(value, 'name', INPUT_LIMITS.name).trim();
    if (!name) throw new UserInputError('A driver needs a name');
    return name;
}

/** Empty means none; anything else must look like a phone number. */
export function phoneNumberOf(value: string | null | undefined): string | null {
    const phone = value == null ? '' : boundedText(value, 'phoneNumber', INPUT_LIMITS.phoneNumber).trim();
    if (!phone) return null;
    if (!PHONE_PATTERN.test(phone) || phone.replace(/\D/g, '').length < PHONE_MIN_DIGITS) {
        throw new UserInputError(
            `"${forLog(phone)}" is not a phone number: use digits, spaces and + ( ) - . / only, such as +1 312 555 0100`,
        );
    }
    return phone;
}

export function emailAddressOf(value: string): string {
    const email = boundedText(value, 'emailAddress', INPUT_LIMITS.emailAddress).trim();
    if (!isEmailAddressLike(email)) {
        throw new UserInputError(`"${forLog(email)}" is not an email address: the driver logs in with it`);
    }
    return email;
}

/** Vendure's Administrator wants a first and a last name; a driver has one name. */
export function administratorName(name: string): { firstName: string; lastName: string } {
    const space = name.lastIndexOf(' ');
    return space > 0
        ? { firstName: name.slice(0, space), lastName: name.slice(space + 1) }
        : { firstName: name, lastName: '' };
}
