/* eslint-disable no-console -- the logger may not be set up when start-up fails */
import { SettingsError } from './settings';

/** Prints why the process could not start (without a stack trace for configuration mistakes). */
export function exitOnStartFailure(error: unknown): never {
    console.error(error instanceof SettingsError ? error.message : error);
    process.exit(1);
}
