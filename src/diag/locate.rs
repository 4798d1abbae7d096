//! Maps YAML paths such as `faq.entries[2].answer` to positions in the file.
//!
//! serde works on values without positions, so this second, event-level parse
//! of the same text finds where a path starts. It runs only when there is an
//! error to report.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// One step of a path into a YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Renders a path the way users write it: `a.b[2].c`.
pub fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A position: one-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug)]
enum Node {
    Map(Pos, Vec<(String, Pos, Node)>),
    Seq(Pos, Vec<Node>),
    Leaf(Pos),
}

impl Node {
    fn pos(&self) -> Pos {
        match self {
            Node::Map(p, _) | Node::Seq(p, _) | Node::Leaf(p) => *p,
        }
    }
}

/// The positions of every node of a YAML document.
#[derive(Debug)]
pub struct Locator {
    root: Option<Node>,
}

impl Locator {
    pub fn new(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            // A text that serde_yaml accepted but this parser does not is
            // rare; positions then fall back to the start of the file.
            return Self { root: None };
        }
        Self { root: builder.root }
    }

    /// Where the value at `path` starts, or the deepest ancestor that exists.
    pub fn value(&self, path: &[Seg]) -> Option<Pos> {
        let mut node = self.root.as_ref()?;
        let mut best = node.pos();
        for seg in path {
            let next = match (node, seg) {
                (Node::Map(_, entries), Seg::Key(k)) => entries
                    .iter()
                    .find(|(key, _, _)| key == k)
                    .map(|(_, _, n)| n),
                (Node::Seq(_, items), Seg::Index(i)) => items.get(*i),
                _ => None,
            };
            match next {
                Some(n) => {
                    node = n;
                    best = n.pos();
                }
                None => break,
            }
        }
        Some(best)
    }

    /// The node at `path`, if every segment of it exists.
    fn node(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self.root.as_ref()?;
        for seg in path {
            node = match (node, seg) {
                (Node::Map(_, entries), Seg::Key(k)) => {
                    &entries.iter().find(|(key, _, _)| key == k)?.2
                }
                (Node::Seq(_, items), Seg::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Where the key `key` of the mapping at `path` is written.
    pub fn key(&self, path: &[Seg], key: &str) -> Option<Pos> {
        match self.node(path)? {
            Node::Map(_, entries) => entries.iter().find(|(k, _, _)| k == key).map(|e| e.1),
            _ => None,
        }
    }

    /// Where `key` is written a second time in one mapping, if anywhere.
    pub fn duplicate_key(&self, key: &str) -> Option<Pos> {
        fn find(node: &Node, key: &str) -> Option<Pos> {
            match node {
                Node::Map(_, entries) => {
                    let mut same = entries.iter().filter(|(k, _, _)| k == key);
                    same.next();
                    same.next()
                        .map(|e| e.1)
                        .or_else(|| entries.iter().find_map(|e| find(&e.2, key)))
                }
                Node::Seq(_, items) => items.iter().find_map(|n| find(n, key)),
                Node::Leaf(_) => None,
            }
        }
        find(self.root.as_ref()?, key)
    }

    /// Where the value at `path` starts, when it is a scalar (a text, a
    /// number, a date) that exists.
    pub fn scalar(&self, path: &[Seg]) -> Option<Pos> {
        match self.node(path)? {
            Node::Leaf(p) => Some(*p),
            _ => None,
        }
    }

    /// Where the key of the last segment of `path` is written, if it is a key,
    /// else where its value starts.
    pub fn entry(&self, path: &[Seg]) -> Option<Pos> {
        match path.split_last() {
            Some((Seg::Key(k), parent)) => self.key(parent, k).or_else(|| self.value(path)),
            _ => self.value(path),
        }
    }
}

enum Frame {
    Map(Pos, Vec<(String, Pos, Node)>, Option<(String, Pos)>),
    Seq(Pos, Vec<Node>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
}

fn pos(mark: Marker) -> Pos {
    // yaml-rust2 counts lines from one and columns from zero.
    Pos {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl Builder {
    fn push_node(&mut self, node: Node, key_text: Option<String>) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                Some((key, key_pos)) => entries.push((key, key_pos, node)),
                None => {
                    // This node is a key. Only scalar keys are addressable.
                    let p = node.pos();
                    *pending = Some((key_text.unwrap_or_default(), p));
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let p = pos(mark);
        match ev {
            Event::Scalar(text, ..) => self.push_node(Node::Leaf(p), Some(text)),
            Event::Alias(_) => self.push_node(Node::Leaf(p), None),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(p, Vec::new())),
            Event::MappingStart(..) => self.stack.push(Frame::Map(p, Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(p, items)) => Node::Seq(p, items),
                    // A block mapping's own mark is not where a reader looks;
                    // its first key is.
                    Some(Frame::Map(p, entries, _)) => {
                        let p = entries.first().map_or(p, |e| e.1);
                        Node::Map(p, entries)
                    }
                    None => return,
                };
                self.push_node(node, None);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "id: x\nfaq:\n  entries:\n    - question: Q\n      answer: A\n    - question: R\n      answr: B\n";

    fn k(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    #[test]
    fn finds_values_and_keys() {
        let loc = Locator::new(DOC);
        assert_eq!(loc.value(&[k("id")]), Some(Pos { line: 1, column: 5 }));
        let p = [k("faq"), k("entries"), Seg::Index(1)];
        assert_eq!(loc.value(&p), Some(Pos { line: 6, column: 7 }));
        assert_eq!(loc.key(&p, "answr"), Some(Pos { line: 7, column: 7 }));
        assert_eq!(
            loc.entry(&[k("faq"), k("entries")]),
            Some(Pos { line: 3, column: 3 })
        );
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_ancestor() {
        let loc = Locator::new(DOC);
        let p = [k("faq"), k("entries"), Seg::Index(9), k("question")];
        assert_eq!(loc.value(&p), loc.value(&[k("faq"), k("entries")]));
        assert_eq!(display_path(&p), "faq.entries[9].question");
    }
}
