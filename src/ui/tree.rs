//! The raw analysis as a collapsible JSON tree. Nothing is built until the admin asks for it: the
//! panel keeps the reply's text, parses it into a tree when opened and drops the tree when closed (or
//! when the page is left), so a 10,000-account analysis costs no second copy of itself meanwhile.
//! Children render only when opened. Values are text nodes: never HTML.

use crate::shared::Shared;
use crate::store::check::raw_data;
use crate::store::format;
use serde_json::Value;
use yew::prelude::*;

const PAGE: usize = 100;

#[derive(Properties, PartialEq)]
pub struct JsonTreeProps {
    /// The reply's text (with or without WHM's envelope).
    pub root: Shared<str>,
}

#[function_component(JsonTree)]
pub fn json_tree(props: &JsonTreeProps) -> Html {
    // The parsed `data`, only while open.
    let tree = use_state(|| None::<Shared<Value>>);
    let toggle = {
        let (tree, text) = (tree.clone(), props.root.clone());
        Callback::from(move |_| {
            tree.set(match *tree {
                Some(_) => None,
                None => Some(Shared::new(raw_data(&text))),
            })
        })
    };
    let open = tree.is_some();
    html! {
        <div class="raw">
            <button type="button" data-testid="raw-json-toggle" aria-expanded={open.to_string()} onclick={toggle}>
                { if open { "Hide the raw JSON" } else { "Show the raw JSON" } }
            </button>
            <span class="muted">{ " " }{ format::bytes(props.root.len() as u128) }</span>
            if let Some(root) = &*tree {
                <div class="json-tree mono" data-testid="raw-json">
                    <JsonNode root={root.clone()} pointer="" name="data" open=true />
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct NodeProps {
    /// The whole reply under every node: compared by identity.
    root: Shared<Value>,
    /// JSON pointer of this node inside `root`.
    pointer: AttrValue,
    name: AttrValue,
    #[prop_or_default]
    open: bool,
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn scalar_text(v: &Value) -> (String, &'static str) {
    match v {
        Value::String(s) => (format!("\"{s}\""), "j-str"),
        Value::Number(n) => (n.to_string(), "j-num"),
        Value::Bool(b) => (b.to_string(), "j-bool"),
        Value::Null => ("null".into(), "j-null"),
        _ => (String::new(), ""),
    }
}

#[function_component(JsonNode)]
fn json_node(props: &NodeProps) -> Html {
    let open = use_state(|| props.open);
    let shown = use_state(|| PAGE);
    let Some(value) = props.root.pointer(&props.pointer) else {
        return html! {};
    };
    let (len, brackets) = match value {
        Value::Object(m) => (m.len(), ("{", "}")),
        Value::Array(a) => (a.len(), ("[", "]")),
        scalar => {
            let (text, class) = scalar_text(scalar);
            return html! { <div class="j-row"><span class="j-key">{ &props.name }</span>{ ": " }<span class={class}>{ text }</span></div> };
        }
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let children = if *open {
        let limit = *shown;
        let items: Vec<(String, String)> = match value {
            Value::Object(m) => m
                .keys()
                .take(limit)
                .map(|k| (k.clone(), format!("{}/{}", props.pointer, escape_pointer(k))))
                .collect(),
            Value::Array(a) => (0..a.len().min(limit))
                .map(|i| (i.to_string(), format!("{}/{i}", props.pointer)))
                .collect(),
            _ => Vec::new(),
        };
        let more = len.saturating_sub(limit);
        let on_more = {
            let shown = shown.clone();
            Callback::from(move |_| shown.set(*shown + PAGE * 10))
        };
        html! {
            <div class="j-children">
                { for items.into_iter().map(|(name, ptr)| {
                    let key = ptr.clone();
                    html! { <JsonNode key={key} root={props.root.clone()} pointer={ptr} name={name} /> }
                }) }
                if more > 0 {
                    <button type="button" class="link" onclick={on_more}>{ format!("show more ({more} hidden)") }</button>
                }
            </div>
        }
    } else {
        html! {}
    };
    html! {
        <div class="j-node">
            <button type="button" class="j-toggle" aria-expanded={open.to_string()} onclick={toggle}>
                { if *open { "▾ " } else { "▸ " } }<span class="j-key">{ &props.name }</span>
                { format!(" {}{} {}{}", brackets.0, len, if matches!(value, Value::Array(_)) { "items" } else { "keys" }, brackets.1) }
            </button>
            { children }
        </div>
    }
}
