//! [`Shared`]: an `Rc` that compares by identity.
//!
//! Yew compares a component's props on every render of its parent, and `Rc`'s own `==` compares what
//! it points to: for a 10,000-account analysis, its rule context or its findings, that cost more than
//! the render it saved. Holding them as `Shared` lets props and state derive `PartialEq` (so a field
//! added later is compared too) while the shared parts are compared by pointer.
//!
//! Two values built apart are different even when their contents are equal: what is shared is only
//! ever replaced, never changed in place while it is shared ([`Shared::make_mut`] copies it then), so
//! the same pointer means the same contents.

use std::fmt;
use std::ops::Deref;
use std::rc::Rc;

pub struct Shared<T: ?Sized>(Rc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(Rc::new(value))
    }

    /// The value to change: in place when this is its only holder, else a copy (as `Rc::make_mut`).
    pub fn make_mut(this: &mut Shared<T>) -> &mut T
    where
        T: Clone,
    {
        Rc::make_mut(&mut this.0)
    }

    /// The value itself when this is its only holder, else a copy (as `Rc::unwrap_or_clone`).
    pub fn unwrap_or_clone(this: Shared<T>) -> T
    where
        T: Clone,
    {
        Rc::unwrap_or_clone(this.0)
    }
}

impl<T: ?Sized> Shared<T> {
    /// The `Rc` inside, for an API that takes one.
    pub fn rc(&self) -> &Rc<T> {
        &self.0
    }
}

impl<T: ?Sized> From<Rc<T>> for Shared<T> {
    fn from(rc: Rc<T>) -> Shared<T> {
        Shared(rc)
    }
}

impl<T: ?Sized> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared(self.0.clone())
    }
}

/// By identity: the same allocation.
impl<T: ?Sized> PartialEq for Shared<T> {
    fn eq(&self, other: &Shared<T>) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: ?Sized> Eq for Shared<T> {}

impl<T: Default> Default for Shared<T> {
    fn default() -> Shared<T> {
        Shared::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_to_itself_and_its_clones() {
        let a = Shared::new(vec![1, 2, 3]);
        let same = a.clone();
        let apart = Shared::new(vec![1, 2, 3]);
        assert_eq!(a, same);
        assert_ne!(a, apart, "equal contents built apart are different values");
        assert_eq!(*a, *apart);
    }

    #[test]
    fn a_change_while_shared_makes_a_new_value() {
        let a = Shared::new(vec![1]);
        let mut b = a.clone();
        Shared::make_mut(&mut b).push(2);
        assert_ne!(a, b);
        assert_eq!((*a).as_slice(), [1]);
        assert_eq!((*b).as_slice(), [1, 2]);
        // alone, in place: still the same value as before the change
        let before = b.clone();
        drop(before);
        let ptr = Rc::as_ptr(b.rc());
        Shared::make_mut(&mut b).push(3);
        assert_eq!(Rc::as_ptr(b.rc()), ptr);
    }

    #[test]
    fn derived_equality_compares_the_other_fields_by_value() {
        #[derive(PartialEq, Debug, Clone)]
        struct Props {
            big: Shared<Vec<u32>>,
            open: bool,
        }
        let big = Shared::new((0..10_000).collect::<Vec<u32>>());
        let p = Props {
            big: big.clone(),
            open: false,
        };
        assert_eq!(p, p.clone());
        assert_ne!(
            p,
            Props {
                big: big.clone(),
                open: true
            }
        );
        assert_ne!(
            p,
            Props {
                big: Shared::new((*big).clone()),
                open: false
            }
        );
    }
}
