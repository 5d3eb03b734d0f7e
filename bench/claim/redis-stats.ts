/** What Redis itself spent during a run: main-thread CPU and per-command time (INFO). */
import { Redis } from 'ioredis';

export interface RedisCost {
    /** Main-thread CPU, as a share of one core. */
    cpuShare: number;
    /** Total command time per command name (`cmdstat_<name>`), µs, and calls. */
    commands: Record<string, { calls: number; usec: number }>;
}

function mainThreadCpuSeconds(info: string): number {
    const read = (field: string) => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return read('used_cpu_user_main_thread') + read('used_cpu_sys_main_thread');
}

function commandStats(info: string): RedisCost['commands'] {
    const commands: RedisCost['commands'] = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
        commands[match[1]] = { calls: Number(match[2]), usec: Number(match[3]) };
    }
    return commands;
}

/** Runs `work` between a reset of Redis's command statistics and a reading of them. */
export async function measureRedisCost<T>(
    admin: Redis,
    work: () => Promise<T>,
): Promise<{ result: T; cost: RedisCost }> {
    await admin.config('RESETSTAT');
    const cpuBefore = mainThreadCpuSeconds(await admin.info('cpu'));
    const started = process.hrtime.bigint();
    const result = await work();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuAfter = mainThreadCpuSeconds(await admin.info('cpu'));
    return {
        result,
        cost: {
            cpuShare: (cpuAfter - cpuBefore) / seconds,
            commands: commandStats(await admin.info('commandstats')),
        },
    };
}
