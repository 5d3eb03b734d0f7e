import { SearchBackendState } from '../adapter/delivery-search-adapter';
import { withDefaults } from '../options';
import { CommunityPluginBridge } from './community-plugin-bridge';
import { SearchBackendClient } from './search-backend-client';
import { SearchBackendWatcher } from './search-backend-watcher';

function watcher(options: {
    up: boolean[];
    communityConnected?: boolean;
    documents?: number;
    isServer?: boolean;
}) {
    const state = new SearchBackendState();
    state.communityConnected = options.communityConnected;
    const answers = [...options.up];
    const calls = { restarts: 0, reindexes: 0 };
    const backend = {
        isUp: () => Promise.resolve(answers.shift() ?? false),
        documentCount: () => Promise.resolve(options.documents ?? 10),
    } as unknown as SearchBackendClient;
    const community = {
        restartCommunityPlugin: () => {
            calls.restarts++;
            // The community plugin's start-up pings through es9's adapter, which records it.
            state.communityConnected = true;
            return Promise.resolve();
        },
        reindexAll: () => {
            calls.reindexes++;
            return Promise.resolve();
        },
    } as unknown as CommunityPluginBridge;
    const subject = new SearchBackendWatcher(
        withDefaults({ url: 'http://es.test:9200' }),
        state,
        backend,
        community,
        { create: () => Promise.resolve({}) } as never,
        { isServer: options.isServer ?? true } as never,
        { rawConnection: { getRepository: () => ({ count: () => Promise.resolve(54) }) } } as never,
    );
    return { subject, calls, state };
}

describe('SearchBackendWatcher: indexing comes back without a restart', () => {
    it('down at start: once Elasticsearch answers, restarts the community plugin and reindexes, once', async () => {
        const { subject, calls } = watcher({ up: [false, true, true], communityConnected: false });
        expect(await subject.check()).toBe('down');
        expect(calls).toEqual({ restarts: 0, reindexes: 0 });
        expect(await subject.check()).toBe('restarted-and-reindexed');
        expect(calls).toEqual({ restarts: 1, reindexes: 1 });
        expect(await subject.check()).toBe('up');
        expect(calls).toEqual({ restarts: 1, reindexes: 1 });
    });

    it('down for a while later: reindexes when it is back (the updates in between were lost)', async () => {
        const { subject, calls, state } = watcher({ up: [true, false, true], communityConnected: true });
        expect(await subject.check()).toBe('up');
        expect(await subject.check()).toBe('down');
        expect(state.isMarkedUnavailable()).toBe(true);
        expect(await subject.check()).toBe('reindexed');
        expect(state.isMarkedUnavailable()).toBe(false);
        expect(calls).toEqual({ restarts: 0, reindexes: 1 });
    });

    it('fills an empty index next to a catalogue (a new cluster)', async () => {
        const { subject, calls } = watcher({ up: [true], communityConnected: true, documents: 0 });
        expect(await subject.check()).toBe('reindexed');
        expect(calls.reindexes).toBe(1);
    });

    it('leaves the reindex to the server processes: a separate worker does not queue another', async () => {
        const { subject, calls } = watcher({ up: [false, true], communityConnected: false, isServer: false });
        await subject.check();
        await subject.check();
        expect(calls).toEqual({ restarts: 1, reindexes: 0 });
    });
});
