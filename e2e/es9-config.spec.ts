/**
 * ELASTICSEARCH_URL switches search: set, the community plugin configured by es9 replaces
 * Vendure's default search; unset, nothing of es9, the community plugin or the Elasticsearch
 * client is even loaded. Loading any of them is made to throw, so a static import anywhere in the
 * configuration's module graph would fail the "unset" case.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- jest.isolateModules needs require(): a static import would load the configuration once, outside the traps */
const LOADED: string[] = [];

function trap(name: string) {
    return () => {
        LOADED.push(name);
        throw new Error(`${name} was loaded`);
    };
}

function loadConfigWith(env: Record<string, string>) {
    LOADED.length = 0;
    let config: import('@vendure/core').VendureConfig | undefined;
    let error: unknown;
    jest.isolateModules(() => {
        jest.doMock('../plugins/es9', trap('plugins/es9'));
        jest.doMock(
            '@vendure-community/elasticsearch-plugin',
            trap('@vendure-community/elasticsearch-plugin'),
        );
        jest.doMock('@elastic/elasticsearch', trap('@elastic/elasticsearch'));
        try {
            const { createVendureConfig } =
                require('../vendure-config') as typeof import('../vendure-config');
            const { readSettings } =
                require('../src/runtime/settings') as typeof import('../src/runtime/settings');
            config = createVendureConfig(readSettings({ DATA_DIR: '/tmp/es9-config-spec', ...env }), {
                url: 'postgres://unused@localhost/unused',
            });
        } catch (e) {
            error = e;
        }
    });
    return { config, error, loaded: [...LOADED] };
}

describe('the search of the configuration', () => {
    it('without ELASTICSEARCH_URL: the default search, and nothing of es9 is loaded', () => {
        const { config, error, loaded } = loadConfigWith({});
        expect(error).toBeUndefined();
        expect(loaded).toEqual([]);
        const names = (config?.plugins ?? []).map(plugin => (plugin as { name: string }).name);
        expect(names).toContain('DefaultSearchPlugin');
        expect(names).not.toContain('ElasticsearchPlugin');
        expect(names).not.toContain('Es9Plugin');
    }, 60_000);

    it('with ELASTICSEARCH_URL: es9 is loaded (the trap above does catch it)', () => {
        const { error, loaded } = loadConfigWith({ ELASTICSEARCH_URL: 'http://127.0.0.1:9200' });
        expect(loaded).toContain('plugins/es9');
        expect(String(error)).toMatch(/plugins\/es9 was loaded/);
    }, 60_000);

    it('with ELASTICSEARCH_URL and the real modules: the community plugin and es9 instead of the default search', () => {
        let names: string[] = [];
        for (const name of [
            '../plugins/es9',
            '@vendure-community/elasticsearch-plugin',
            '@elastic/elasticsearch',
        ]) {
            jest.dontMock(name);
        }
        jest.isolateModules(() => {
            const { createVendureConfig } =
                require('../vendure-config') as typeof import('../vendure-config');
            const { readSettings } =
                require('../src/runtime/settings') as typeof import('../src/runtime/settings');
            const config = createVendureConfig(
                readSettings({
                    DATA_DIR: '/tmp/es9-config-spec',
                    ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
                }),
                { url: 'postgres://unused@localhost/unused' },
            );
            names = (config.plugins ?? []).map(plugin => (plugin as { name: string }).name);
        });
        expect(names).toEqual(expect.arrayContaining(['ElasticsearchPlugin', 'Es9Plugin']));
        expect(names).not.toContain('DefaultSearchPlugin');
    }, 60_000);
});
