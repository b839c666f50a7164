//! The derives' output compiles without a warning in a crate with strict lints: every generated
//! public item is documented and implements `Debug`, and the generated constants and patch
//! methods are only as visible as their fields, so a private field of a private type does not
//! leak into a public interface.
#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    rust_2018_idioms,
    private_interfaces,
    private_bounds,
    unused
)]

use appwrite_orm::prelude::*;

/// A public model with private fields of a private type.
pub mod account {
    use appwrite_orm::prelude::*;

    /// Private to this module, like the field that holds it.
    #[derive(ColumnEnum, Debug, Clone, Copy, PartialEq, Eq)]
    enum Tier {
        Free,
        Paid,
    }

    /// An account.
    #[derive(Table, Debug)]
    pub struct Account {
        /// The row id.
        #[column(id)]
        pub id: RowId,
        /// Public: its constant and patch method are public too.
        pub email: String,
        tier: Tier,
    }

    impl Account {
        /// A free account.
        pub fn free(email: &str) -> Self {
            Account {
                id: RowId::default(),
                email: email.to_owned(),
                tier: Tier::Free,
            }
        }

        /// True for paid accounts.
        pub fn is_paid(&self) -> bool {
            self.tier == Tier::Paid
        }

        /// Inside the module the private column is usable.
        pub fn upgrade() -> AccountPatch {
            Account::patch().tier(Tier::Paid)
        }

        /// The private column's filter, built where it is visible.
        pub fn paid() -> Filter<Account> {
            Account::TIER.eq(Tier::Paid)
        }
    }
}

/// A model without any attribute.
#[derive(Table, Debug)]
pub struct Note {
    /// The text.
    pub text: String,
}

#[test]
fn generated_items_are_usable_from_outside() {
    use account::Account;

    let patch: Patch<Account> = Account::upgrade().email("a@b.co").into();
    assert_eq!(patch.document()["tier"], "Paid");
    assert_eq!(Account::EMAIL.key(), "email");
    assert_eq!(Account::paid().into_query(), Query::equal("tier", ["Paid"]));
    assert!(!Account::free("a@b.co").is_paid());
    assert_eq!(Note::schema().id, "note");
    assert_eq!(Note::ID.key(), "$id");
    assert_eq!(
        format!("{:?}", Note::patch().text("x")),
        r#"NotePatch({"text": String("x")})"#
    );
}
