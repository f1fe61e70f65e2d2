// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ICreditOffers} from "../../contracts/interfaces/ICreditOffers.sol";

/// CreditOffers as its tests see it: its interface, its roles and the getters of its public constants. The offers
/// tests deploy the contract from its artifact and call it through this interface, so its code stays out of their
/// compilation jobs: under `--coverage` a job holding both the instrumented CreditLedger and CreditOffers overflows
/// the wasm compiler's memory (docs/INVARIANTS.md, Coverage).
interface IOffers is ICreditOffers, IAccessControl {
    /// @notice AccessControl.DEFAULT_ADMIN_ROLE
    function DEFAULT_ADMIN_ROLE() external view returns (bytes32);

    /// @notice CreditOffers.UNDERWRITER_ROLE
    function UNDERWRITER_ROLE() external view returns (bytes32);

    /// @notice CreditOffers.OFFER_TYPEHASH
    function OFFER_TYPEHASH() external view returns (bytes32);

    /// @notice CreditOffers.KYC_TYPEHASH
    function KYC_TYPEHASH() external view returns (bytes32);
}
