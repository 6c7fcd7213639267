export { authModuleDevSignIn as default } from './module';
