//! Certificate policies (RFC 5280 §6.1.2–§6.1.5): the valid-policy tree, built over
//! certificatePolicies, policyMappings, policyConstraints and inhibitAnyPolicy.
//!
//! The tree is kept as a graph with one node per (depth, valid_policy), as BoringSSL and
//! Go's crypto/x509 do: every node of the RFC's tree with the same depth and
//! valid_policy has the same expected_policy_set and the same fate, so merging them keeps
//! every answer (is the tree empty? which policies survive?) while the RFC's tree can
//! grow exponentially with mappings. Its size (nodes plus parent links) is bounded by
//! [`MAX_POLICY_GRAPH`]; a path past the bound is refused. Qualifiers are not kept.

use std::collections::{BTreeMap, BTreeSet};

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;

/// anyPolicy (RFC 5280 §4.2.1.4).
pub const ANY_POLICY: &str = "2.5.29.32.0";

/// Most nodes plus parent links the policy graph of one path may hold.
pub const MAX_POLICY_GRAPH: usize = 4096;

/// The inputs of RFC 5280 §6.1.1 (c), (e), (f) and (g) a caller sets.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyInputs<'o> {
    /// user-initial-policy-set; empty means {anyPolicy}.
    pub user_policies: &'o [String],
    /// initial-explicit-policy.
    pub explicit: bool,
    /// initial-policy-mapping-inhibit.
    pub inhibit_mapping: bool,
    /// initial-any-policy-inhibit.
    pub inhibit_any: bool,
}

struct Node {
    policy: String,
    expected: BTreeSet<String>,
    /// Indices of parents in the level above (empty at depth 0).
    parents: Vec<usize>,
    alive: bool,
}

/// The policy extensions of one certificate.
#[derive(Default)]
struct Extensions {
    policies: Option<Vec<String>>,
    mappings: Vec<(String, String)>,
    require_explicit: Option<u32>,
    inhibit_mapping: Option<u32>,
    inhibit_any: Option<u32>,
}

fn extensions(x: &X509Certificate<'_>) -> Result<Extensions, String> {
    let mut out = Extensions::default();
    for ext in x.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::CertificatePolicies(list) => {
                let mut seen = BTreeSet::new();
                let mut ids = Vec::with_capacity(list.len());
                for info in list {
                    let id = info.policy_id.to_id_string();
                    if !seen.insert(id.clone()) {
                        return Err(format!("certificatePolicies names {id} twice"));
                    }
                    ids.push(id);
                }
                out.policies = Some(ids);
            }
            ParsedExtension::PolicyMappings(m) => {
                if m.mappings.is_empty() {
                    return Err("an empty policyMappings".into());
                }
                for pair in &m.mappings {
                    let (from, to) = (
                        pair.issuer_domain_policy.to_id_string(),
                        pair.subject_domain_policy.to_id_string(),
                    );
                    // §6.1.4 (a).
                    if from == ANY_POLICY || to == ANY_POLICY {
                        return Err("policyMappings maps anyPolicy".into());
                    }
                    out.mappings.push((from, to));
                }
            }
            ParsedExtension::PolicyConstraints(pc) => {
                if pc.require_explicit_policy.is_none() && pc.inhibit_policy_mapping.is_none() {
                    return Err("an empty policyConstraints".into());
                }
                out.require_explicit = pc.require_explicit_policy;
                out.inhibit_mapping = pc.inhibit_policy_mapping;
            }
            ParsedExtension::InhibitAnyPolicy(i) => out.inhibit_any = Some(i.skip_certs),
            _ => {}
        }
    }
    Ok(out)
}

/// The valid-policy graph: one level per depth, `None` once the tree is NULL.
struct Graph {
    levels: Vec<Vec<Node>>,
    size: usize,
}

impl Graph {
    fn new() -> Graph {
        Graph {
            levels: vec![vec![Node {
                policy: ANY_POLICY.into(),
                expected: BTreeSet::from([ANY_POLICY.to_string()]),
                parents: Vec::new(),
                alive: true,
            }]],
            size: 1,
        }
    }

    fn grow(&mut self, by: usize) -> Result<(), String> {
        self.size = self.size.saturating_add(by);
        if self.size > MAX_POLICY_GRAPH {
            return Err(format!(
                "the certificate policy tree exceeds {MAX_POLICY_GRAPH} nodes and links"
            ));
        }
        Ok(())
    }

    fn any_at(&self, depth: usize) -> Option<usize> {
        self.levels[depth]
            .iter()
            .position(|n| n.alive && n.policy == ANY_POLICY)
    }

    /// §6.1.3 (d) (1) and (2): the level for a certificate asserting `policies`.
    fn add_level(&mut self, policies: &[String], any_allowed: bool) -> Result<(), String> {
        let depth = self.levels.len() - 1;
        let mut level: Vec<Node> = Vec::new();
        let above = &self.levels[depth];
        let any_above = self.any_at(depth);
        let mut cost = 0usize;
        for p in policies.iter().filter(|p| *p != ANY_POLICY) {
            let mut parents: Vec<usize> = above
                .iter()
                .enumerate()
                .filter(|(_, n)| n.alive && n.expected.contains(p))
                .map(|(i, _)| i)
                .collect();
            if parents.is_empty() {
                match any_above {
                    Some(a) => parents.push(a),
                    None => continue,
                }
            }
            cost += 1 + parents.len();
            if self.size.saturating_add(cost) > MAX_POLICY_GRAPH {
                return self.grow(cost);
            }
            level.push(Node {
                policy: p.clone(),
                expected: BTreeSet::from([p.clone()]),
                parents,
                alive: true,
            });
        }
        if any_allowed && policies.iter().any(|p| p == ANY_POLICY) {
            // Every expected policy of the level above not yet a child: one node each,
            // under every node that expects it.
            let mut wanted: BTreeMap<&String, Vec<usize>> = BTreeMap::new();
            for (i, n) in above.iter().enumerate().filter(|(_, n)| n.alive) {
                for e in &n.expected {
                    wanted.entry(e).or_default().push(i);
                }
            }
            for (policy, parents) in wanted {
                if level.iter().any(|n| &n.policy == policy) {
                    continue;
                }
                cost += 1 + parents.len();
                level.push(Node {
                    policy: policy.clone(),
                    expected: BTreeSet::from([policy.clone()]),
                    parents,
                    alive: true,
                });
            }
        }
        self.levels.push(level);
        self.grow(cost)?;
        self.prune();
        Ok(())
    }

    /// Deletes, from the level above the last upwards, every node without a live child.
    fn prune(&mut self) {
        for depth in (0..self.levels.len() - 1).rev() {
            let (upper, lower) = self.levels.split_at_mut(depth + 1);
            let mut has_child = vec![false; upper[depth].len()];
            for child in lower[0].iter().filter(|n| n.alive) {
                for &p in &child.parents {
                    has_child[p] = true;
                }
            }
            for (node, keep) in upper[depth].iter_mut().zip(has_child) {
                node.alive &= keep;
            }
        }
    }

    /// Deletes nodes whose parents are all deleted, from the top down.
    fn cut_orphans(&mut self) {
        for depth in 1..self.levels.len() {
            let (upper, lower) = self.levels.split_at_mut(depth);
            let above = &upper[depth - 1];
            for node in lower[0].iter_mut() {
                node.alive &= node.parents.iter().any(|&p| above[p].alive);
            }
        }
    }

    fn is_null(&self) -> bool {
        !self.levels[0][0].alive || !self.levels.last().is_some_and(|l| l.iter().any(|n| n.alive))
    }

    /// §6.1.4 (b): the mappings of the certificate at the last level.
    fn map(&mut self, mappings: &[(String, String)], allowed: bool) -> Result<(), String> {
        let depth = self.levels.len() - 1;
        let mut by_issuer: BTreeMap<&String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in mappings {
            by_issuer.entry(from).or_default().insert(to.clone());
        }
        if !allowed {
            for node in self.levels[depth].iter_mut() {
                if by_issuer.contains_key(&node.policy) {
                    node.alive = false;
                }
            }
            self.prune();
            return Ok(());
        }
        let any_here = self.any_at(depth);
        let mut cost = 0;
        for (from, to) in by_issuer {
            let existing = self.levels[depth]
                .iter_mut()
                .filter(|n| n.alive && &n.policy == from)
                .map(|n| n.expected = to.clone())
                .count();
            if existing == 0 {
                if let Some(a) = any_here {
                    let parents = self.levels[depth][a].parents.clone();
                    cost += 1 + parents.len() + to.len();
                    self.levels[depth].push(Node {
                        policy: from.clone(),
                        expected: to,
                        parents,
                        alive: true,
                    });
                }
            } else {
                cost += to.len();
            }
        }
        self.grow(cost)
    }

    /// §6.1.5 (g): whether the tree, intersected with the user-initial-policy-set,
    /// is non-empty.
    fn intersects(&mut self, user: &[String]) -> bool {
        if self.is_null() {
            return false;
        }
        if user.is_empty() || user.iter().any(|p| p == ANY_POLICY) {
            return true;
        }
        let leaf = self.levels.len() - 1;
        // Nodes whose parent is anyPolicy and whose policy the user did not ask for go,
        // with their descendants (the graph loses those links).
        let mut any_at_leaf_parents = None;
        for depth in 1..self.levels.len() {
            let (upper, lower) = self.levels.split_at_mut(depth);
            let above = &upper[depth - 1];
            for node in lower[0].iter_mut().filter(|n| n.alive) {
                if node.policy == ANY_POLICY {
                    if depth == leaf {
                        any_at_leaf_parents = Some(node.parents.clone());
                    }
                    continue;
                }
                if !user.contains(&node.policy) {
                    node.parents.retain(|&p| above[p].policy != ANY_POLICY);
                }
            }
        }
        self.cut_orphans();
        let leaf_level = &self.levels[leaf];
        if leaf_level.iter().any(|n| n.alive && n.policy != ANY_POLICY) {
            return true;
        }
        // An anyPolicy leaf is replaced by the user's policies (under a live parent).
        any_at_leaf_parents.is_some_and(|parents| parents.iter().any(|&p| self.levels[leaf - 1][p].alive))
    }
}

/// Runs RFC 5280 §6.1.2–§6.1.5 over `path` (the signer first, the trust anchor last; the
/// anchor is the algorithm's input, not a certificate it processes). `Err` says why the
/// path is invalid under its policies.
pub(crate) fn check(path: &[&X509Certificate<'_>], inputs: &PolicyInputs<'_>) -> Result<(), String> {
    let n = path.len().saturating_sub(1);
    let start = |inhibit: bool| if inhibit { 0 } else { n + 1 };
    let explicit_asked = inputs.explicit || !inputs.user_policies.is_empty();
    let mut explicit = start(explicit_asked);
    let mut inhibit_any = start(inputs.inhibit_any);
    let mut mapping = start(inputs.inhibit_mapping);
    let mut graph = Some(Graph::new());
    for i in 1..=n {
        let x = path[n - i];
        let is_leaf = i == n;
        let what = if is_leaf {
            "the signer's certificate".to_string()
        } else {
            format!("intermediate {}", n - i)
        };
        let ext = extensions(x).map_err(|e| format!("{what}: {e}"))?;
        let self_issued = super::names::same_name(x.subject(), x.issuer());
        // (d), (e).
        match (&ext.policies, graph.as_mut()) {
            (Some(policies), Some(g)) => {
                let any_allowed = inhibit_any > 0 || (!is_leaf && self_issued);
                g.add_level(policies, any_allowed)?;
                if g.is_null() {
                    graph = None;
                }
            }
            _ => graph = None,
        }
        // (f).
        if explicit == 0 && graph.is_none() {
            return Err(format!(
                "an explicit certificate policy is required, and no acceptable policy is valid \
                 down to {what} (RFC 5280 §6.1.3 (f))"
            ));
        }
        if is_leaf {
            // §6.1.5 (a), (b).
            explicit = explicit.saturating_sub(1);
            if ext.require_explicit == Some(0) {
                explicit = 0;
            }
            break;
        }
        // §6.1.4 (b).
        if !ext.mappings.is_empty() {
            if let Some(g) = graph.as_mut() {
                g.map(&ext.mappings, mapping > 0)?;
                if g.is_null() {
                    graph = None;
                }
            }
        }
        // (h), (i), (j).
        if !self_issued {
            explicit = explicit.saturating_sub(1);
            mapping = mapping.saturating_sub(1);
            inhibit_any = inhibit_any.saturating_sub(1);
        }
        if let Some(r) = ext.require_explicit {
            explicit = explicit.min(r as usize);
        }
        if let Some(m) = ext.inhibit_mapping {
            mapping = mapping.min(m as usize);
        }
        if let Some(s) = ext.inhibit_any {
            inhibit_any = inhibit_any.min(s as usize);
        }
    }
    // §6.1.5 (g).
    let valid = graph.as_mut().is_some_and(|g| g.intersects(inputs.user_policies));
    if explicit == 0 && !valid {
        return Err(if inputs.user_policies.is_empty() {
            "an explicit certificate policy is required, and the path's valid-policy tree is \
             empty (RFC 5280 §6.1.5 (g))"
                .to_string()
        } else {
            format!(
                "none of the required certificate policies ({}) is valid for the path (RFC 5280 §6.1.5 (g))",
                inputs.user_policies.join(", ")
            )
        });
    }
    Ok(())
}
