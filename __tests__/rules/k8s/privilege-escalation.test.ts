import rule from '../../../src/rules/k8s/privilege-escalation.js';
import { deployment, HARDENED } from '../../helpers/k8s.js';
import { testRule } from '../../helpers/rule-tester.js';

testRule(rule, {
  valid: [{ name: 'allowPrivilegeEscalation: false', files: { 'd.yaml': deployment([{ extra: HARDENED }]) } }],
  invalid: [
    {
      name: 'not set: points at the container',
      files: { 'd.yaml': deployment([{ name: 'tgi' }]) },
      errors: [{ line: 10, column: 11, severity: 'medium', message: "Container tgi of Deployment/serve does not set allowPrivilegeEscalation: false, so setuid binaries can raise its privileges: add it to the container's securityContext." }],
    },
    {
      name: 'set to true: points at the key',
      files: { 'd.yaml': deployment([{ extra: ['securityContext:', '  allowPrivilegeEscalation: true'] }]) },
      errors: [{ line: 13, column: 13, message: 'Container server of Deployment/serve sets allowPrivilegeEscalation: true: set it to false.' }],
    },
  ],
});
