// For tools that read .ts without the Vue language plugin (eslint): a .vue file is a component.
// vue-tsc and vite read the real components.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
