//! A small DER editor, as an attacker would write one: parse a DER value into a tree,
//! change it, encode it again (definite lengths), and re-sign a SignerInfo's signed
//! attributes with `openssl dgst`. Enough for CMS made by `openssl cms -sign -outform DER`.

use std::path::Path;

/// A DER value: a primitive (tag, content) or a constructed (tag, children).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Prim(u8, Vec<u8>),
    Cons(u8, Vec<Node>),
}

/// The value at the start of `bytes` and its encoded length. Panics on BER.
pub fn parse(bytes: &[u8]) -> (Node, usize) {
    let tag = bytes[0];
    assert!(tag & 0x1f != 0x1f, "high tag numbers are not supported");
    let (len, header) = match bytes[1] {
        0x80 => panic!("indefinite length: not DER"),
        n if n < 0x80 => (n as usize, 2),
        n => {
            let k = (n & 0x7f) as usize;
            let len = bytes[2..2 + k].iter().fold(0usize, |a, &b| (a << 8) | b as usize);
            (len, 2 + k)
        }
    };
    let content = &bytes[header..header + len];
    let node = if tag & 0x20 != 0 {
        let mut children = Vec::new();
        let mut at = 0;
        while at < content.len() {
            let (child, used) = parse(&content[at..]);
            children.push(child);
            at += used;
        }
        Node::Cons(tag, children)
    } else {
        Node::Prim(tag, content.to_vec())
    };
    (node, header + len)
}

/// Tag, definite length and content.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

impl Node {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Node::Prim(tag, content) => tlv(*tag, content),
            Node::Cons(tag, children) => tlv(*tag, &children.iter().flat_map(Node::encode).collect::<Vec<_>>()),
        }
    }

    pub fn children_mut(&mut self) -> &mut Vec<Node> {
        match self {
            Node::Cons(_, c) => c,
            Node::Prim(..) => panic!("a primitive has no children"),
        }
    }

    pub fn children(&self) -> &[Node] {
        match self {
            Node::Cons(_, c) => c,
            Node::Prim(..) => panic!("a primitive has no children"),
        }
    }

    pub fn tag(&self) -> u8 {
        match self {
            Node::Prim(t, _) | Node::Cons(t, _) => *t,
        }
    }
}

/// DER OIDs (content octets) of the attributes the tests edit.
pub const CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
pub const MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
pub const SIGNING_TIME: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05];
pub const SMIME_CAPABILITIES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0f];
pub const SIGNING_CERTIFICATE_V2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f];

/// A parsed ContentInfo of a SignedData with the paths to its first SignerInfo.
pub struct Cms {
    pub root: Node,
}

impl Cms {
    pub fn parse(der: &[u8]) -> Cms {
        let (root, used) = parse(der);
        assert_eq!(used, der.len());
        Cms { root }
    }

    pub fn signed_data(&mut self) -> &mut Node {
        &mut self.root.children_mut()[1].children_mut()[0]
    }

    pub fn signer_info(&mut self) -> &mut Node {
        let sd = self.signed_data();
        let infos = sd.children_mut().last_mut().unwrap();
        &mut infos.children_mut()[0]
    }

    /// The Attribute SEQUENCEs of the first SignerInfo's signed attributes.
    pub fn attributes(&mut self) -> &mut Vec<Node> {
        let si = self.signer_info();
        si.children_mut()
            .iter_mut()
            .find(|n| n.tag() == 0xa0)
            .expect("no signed attributes")
            .children_mut()
    }

    /// The attribute of type `oid`.
    pub fn attribute(&mut self, oid: &[u8]) -> &mut Node {
        self.attributes()
            .iter_mut()
            .find(|a| a.children()[0] == Node::Prim(0x06, oid.to_vec()))
            .expect("no such attribute")
    }

    /// The values (SET OF) of the attribute of type `oid`.
    pub fn values(&mut self, oid: &[u8]) -> &mut Vec<Node> {
        self.attribute(oid).children_mut()[1].children_mut()
    }

    /// Signs the signed attributes again (as the DER SET OF that RFC 5652 §5.4 digests)
    /// with `key` (RSA, PKCS#1 v1.5, SHA-256) in `dir`, and puts the value in place.
    pub fn resign(&mut self, dir: &Path, key: &str) {
        let attrs = self.attributes().clone();
        let set = Node::Cons(0x31, attrs).encode();
        std::fs::write(dir.join("attrs.der"), &set).unwrap();
        assert!(super::pki::openssl(
            dir,
            &["dgst", "-sha256", "-sign", key, "-out", "attrs.sig", "attrs.der"]
        ));
        let value = std::fs::read(dir.join("attrs.sig")).unwrap();
        let si = self.signer_info();
        let sig = si.children_mut().iter_mut().find(|n| n.tag() == 0x04).unwrap();
        *sig = Node::Prim(0x04, value);
    }

    pub fn encode(&self) -> Vec<u8> {
        self.root.encode()
    }
}

/// A UTCTime value for `YYMMDDHHMMSSZ`.
pub fn utc_time(text: &str) -> Node {
    Node::Prim(0x17, text.as_bytes().to_vec())
}
