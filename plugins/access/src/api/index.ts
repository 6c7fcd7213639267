export * from './AccessApi';
export * from './AccessClient';
