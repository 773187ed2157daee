export { a } from './x.ts';
