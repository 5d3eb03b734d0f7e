// @ts-check
import eslint from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/', '**/*.mjs', '**/*.js', 'vite.config.mts'] },
    eslint.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { 'simple-import-sort': simpleImportSort },
        rules: {
            'simple-import-sort/imports': 'error',
            'simple-import-sort/exports': 'error',
            'no-console': 'error',
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-non-null-assertion': 'error',
            '@typescript-eslint/no-unused-vars': [
                'error',
                { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
            ],
            // Vendure's own types use `any` in places (custom fields, job data); unsafe-* rules would
            // flag every use of those APIs rather than our own mistakes.
            '@typescript-eslint/no-unsafe-assignment': 'off',
            '@typescript-eslint/no-unsafe-member-access': 'off',
            '@typescript-eslint/no-unsafe-argument': 'off',
            '@typescript-eslint/no-unsafe-call': 'off',
            '@typescript-eslint/no-unsafe-return': 'off',
        },
    },
    {
        // The dashboard extensions are browser code built by vite, type-checked with their own
        // tsconfig (DOM, JSX, bundler resolution); the server's tsconfig excludes them.
        files: ['plugins/*/dashboard/**/*.{ts,tsx}'],
        languageOptions: {
            parserOptions: {
                projectService: false,
                project: './tsconfig.dashboard.json',
                tsconfigRootDir: import.meta.dirname,
            },
        },
    },
    {
        // The driver web app (plugins/driver-dispatch/driver-app) is browser code too, with its own tsconfig.
        files: ['plugins/*/driver-app/**/*.{ts,tsx}'],
        languageOptions: {
            parserOptions: {
                projectService: false,
                project: './tsconfig.driver-app.json',
                tsconfigRootDir: import.meta.dirname,
            },
        },
    },
    {
        // The tracking page's script (plugins/driver-dispatch/tracking-page) is browser code too.
        files: ['plugins/*/tracking-page/**/*.ts'],
        languageOptions: {
            parserOptions: {
                projectService: false,
                project: './tsconfig.tracking-page.json',
                tsconfigRootDir: import.meta.dirname,
            },
        },
    },
    {
        files: ['e2e/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts', 'src/scripts/**/*.ts'],
        rules: { 'no-console': 'off', '@typescript-eslint/unbound-method': 'off' },
    },
);
