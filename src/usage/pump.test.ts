import { pumpCases } from '../../test/integration/pump-cases';

pumpCases('Node streams');
