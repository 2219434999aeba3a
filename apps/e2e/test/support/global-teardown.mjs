export { teardown as default } from './shared-stacks.global.mjs';
