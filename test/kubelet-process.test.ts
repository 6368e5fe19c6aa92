// The kubelet's key flows with the process runtime (host processes, loopback pod IPs).
import { describeKubeletFlows } from './kubelet-flows.js';

describeKubeletFlows('process');
