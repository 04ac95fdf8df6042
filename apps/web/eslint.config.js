// The repository's lint setup, plus Vue single-file components: eslint-plugin-vue's recommended
// rules, the <script setup lang="ts"> blocks parsed by typescript-eslint (without type
// information there: vue-tsc type-checks the components).
import prettier from 'eslint-config-prettier';
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';
import root from '../../eslint.config.js';

export default tseslint.config(
  ...root,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, sourceType: 'module', projectService: false },
    },
    rules: {
      // TypeScript (vue-tsc) knows the browser's globals and checks undefined names.
      'no-undef': 'off',
      // Optional props typed `T | undefined` need no default.
      'vue/require-default-prop': 'off',
    },
  },
  prettier,
);
