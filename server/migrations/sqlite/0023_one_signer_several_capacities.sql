-- A team may let one person sign off staging in several capacities (QA, testers, dev, product).
-- Off by default: each capacity is signed off by a different person.
ALTER TABLE teams ADD COLUMN one_signer_several_capacities BOOLEAN NOT NULL DEFAULT FALSE;
