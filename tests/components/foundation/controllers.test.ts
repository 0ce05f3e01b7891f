import {
  clusterAutoscalerPolicy, clusterAutoscalerValues, loadBalancerControllerPolicy, loadBalancerControllerValues,
} from "../../../components/foundation/aws/controllers-policy";

const lbc = loadBalancerControllerPolicy("aws", "platform-prod", "vpc-0abc");
const actions = lbc.Statement.flatMap((s) => s.Action);

describe("AWS controller policies (pure)", () => {
  test("the load balancer controller may change or delete only this cluster's load balancers and security groups", () => {
    const owned = /^(elasticloadbalancing:(Modify(LoadBalancer|TargetGroup|ListenerAttributes|Capacity|Ip)|Set(IpAddressType|SecurityGroups|Subnets)|Delete(LoadBalancer|TargetGroup))|ec2:DeleteSecurityGroup)/;
    const scoped = lbc.Statement.filter((s) => s.Action.some((a) => owned.test(a)));
    expect(scoped.length).toBeGreaterThan(0);
    for (const s of scoped) {
      expect(s.Condition?.StringEquals).toEqual({ "aws:ResourceTag/elbv2.k8s.aws/cluster": "platform-prod" });
    }
    // Creation must carry this cluster's tag; tags can only be added at creation or to resources already owned.
    const create = lbc.Statement.find((s) => s.Action.includes("elasticloadbalancing:CreateLoadBalancer"))!;
    expect(create.Condition).toEqual({ StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "platform-prod" } });
    const retag = lbc.Statement.filter((s) => s.Action.includes("elasticloadbalancing:RemoveTags") && s.Resource !== "*" && JSON.stringify(s.Resource).includes("loadbalancer/"));
    for (const s of retag) expect(s.Condition?.StringEquals).toMatchObject({ "aws:ResourceTag/elbv2.k8s.aws/cluster": "platform-prod" });
    // A policy for another cluster names that cluster instead.
    expect(JSON.stringify(loadBalancerControllerPolicy("aws-cn", "other", "vpc-1"))).not.toContain("platform-prod");
    expect(JSON.stringify(loadBalancerControllerPolicy("aws-cn", "other", "vpc-1"))).toContain("arn:aws-cn:elasticloadbalancing");
  });

  test("Resource \"*\" only for reads AWS cannot scope; new security groups only in the cluster's VPC", () => {
    for (const p of [lbc, clusterAutoscalerPolicy("aws", "platform-prod")]) {
      for (const s of p.Statement.filter((x) => x.Resource === "*")) {
        expect(s.Action.filter((a) => !/^(ec2|elasticloadbalancing|autoscaling):Describe|^ec2:Get(SecurityGroupsForVpc|InstanceTypesFromInstanceRequirements)$/.test(a))).toEqual([]);
      }
    }
    const create = lbc.Statement.find((s) => s.Action.includes("ec2:CreateSecurityGroup"))!;
    expect(create.Resource).toEqual(["arn:aws:ec2:*:*:security-group/*", "arn:aws:ec2:*:*:vpc/vpc-0abc"]);
  });

  test("no wildcard actions and no ALB-only integrations (WAF, Shield, Cognito, ACM)", () => {
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
    expect(actions.filter((a) => /^(waf|wafv2|waf-regional|shield|cognito-idp|acm):/.test(a))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(["elasticloadbalancing:RegisterTargets", "ec2:AuthorizeSecurityGroupIngress", "iam:CreateServiceLinkedRole"]));
    const linked = lbc.Statement.find((s) => s.Action.includes("iam:CreateServiceLinkedRole"))!;
    expect(linked.Condition).toEqual({ StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } });
  });

  test("the autoscaler reads every group but resizes only this cluster's", () => {
    const p = clusterAutoscalerPolicy("aws", "platform-prod");
    const resize = p.Statement.filter((s) => s.Action.some((a) => /SetDesiredCapacity|TerminateInstance/.test(a)));
    expect(resize).toHaveLength(1);
    expect(resize[0].Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/platform-prod": "owned" } });
    const read = p.Statement.find((s) => s.Sid === "Discover")!;
    expect(read.Action.every((a) => /:(Describe|Get)/.test(a))).toBe(true);
    expect(p.Statement.find((s) => s.Action.includes("eks:DescribeNodegroup"))!.Resource).toBe("arn:aws:eks:*:*:nodegroup/platform-prod/*/*");
  });

  test("chart values: IRSA ServiceAccounts, hardened, bounded; the controller claims only Services that ask for it", () => {
    const v = loadBalancerControllerValues({ clusterName: "c", region: "us-east-1", vpcId: "vpc-1", roleArn: "arn:aws:iam::1:role/lbc" }) as any;
    expect(v.serviceAccount).toEqual({ create: true, name: "aws-load-balancer-controller", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/lbc" } });
    expect(v).toMatchObject({ clusterName: "c", region: "us-east-1", vpcId: "vpc-1", enableServiceMutatorWebhook: false, enableWafv2: false, enableShield: false });
    expect(v.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(v.resources.limits.memory).toBe("512Mi");
    const ca = clusterAutoscalerValues({ clusterName: "c", region: "us-east-1", roleArn: "arn:aws:iam::1:role/ca" }) as any;
    expect(ca).toMatchObject({ cloudProvider: "aws", awsRegion: "us-east-1", autoDiscovery: { clusterName: "c" } });
    expect(ca.rbac.serviceAccount.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/ca" });
    expect(ca.resources.requests).toEqual({ cpu: "100m", memory: "600Mi" });
    expect(ca.containerSecurityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });
});
