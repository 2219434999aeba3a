export { setup as default } from './shared-stacks.global.mjs';
