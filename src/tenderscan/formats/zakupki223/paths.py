"""The named paths of the 223-FZ XML readers, one table per element (see :class:`.common.Fields`).

"d:" is the document's namespace (purchase, contract or a plan's), "t:" the field types namespace (or none,
in dumps that reset the default namespace). Every path is a chain of plain names: no predicates, no ``//``.
"""

from __future__ import annotations

from .codes import currency_paths

# "d:" = the document's namespace (purchase or contract), "t:" = the field types namespace (or none).
NAV = {"items": "d:body/d:item"}  # root: the …Data elements sit in body/item
# The repeated or nested elements (lots, items, applications…) are collected by the walk that reads the
# fields of the element above them (``first``/``every`` of :class:`Fields`), never looked up again.
# The fields of one element each (text values).
ORG = {  # customer/mainInfo, placer/mainInfo
    "name": "t:fullName", "short_name": "t:shortName", "inn": "t:inn", "kpp": "t:kpp", "ogrn": "t:ogrn",
    "legal_address": "t:legalAddress", "postal_address": "t:postalAddress", "region": "t:region",
    "email": "t:email", "phone": "t:phone",
}
DOCUMENT = {  # attachments/document
    "guid": "t:guid", "file_name": "t:fileName", "description": "t:description", "url": "t:url",
    "created": "t:createDateTime",
}
COMMON = {  # the head of every …Data element (registrationNumber: DATA_FIRST's @reg_number)
    "guid": "d:guid", "url_eis": "d:urlEIS", "url_oos": "d:urlOOS", "status": "d:status",
    "version": "d:version",
}
NOTICE = {  # purchaseNotice<X>Data
    "name": "d:name", "published": "d:publicationDateTime", "modified": "d:modificationDate",
    "method_code": "d:purchaseMethodCode", "method": "d:purchaseCodeName",
    "submission_close": "d:submissionCloseDateTime", "examination": "d:examinationDateTime",
    "etp_name": "d:electronicPlaceInfo/t:name", "etp_url": "d:electronicPlaceInfo/t:url",
    "joint": "d:jointPurchase",
}
# lots/lot. Since 2014 the lot's fields sit in lotData; in the 2012-2014 schema (TFF 2.x-3.x) straight under
# lot (subject, currency, initialSum, deliveryPlace as text, lotItems): both are read, "_old" the second.
# The price is one of: initialSum (the maximum price, with its rouble equivalent for a foreign currency);
# a price per unit (commodityPrice) or a price formula with maxContractPrice (the maximum contract value:
# how much will be bought is not fixed); or initialSumInfo (a text, no figure).
NOTICE_LOT = {
    "number": "t:ordinalNumber", "cancelled": "t:cancelled", "subject": "t:lotData/t:subject",
    "initial_sum": "t:lotData/t:initialSum", "initial_sum_rub": "t:lotData/t:startingContractPriceRub",
    "max_price": "t:lotData/t:maxContractPrice", "max_price_rub": "t:lotData/t:maxContractPriceRub",
    "unit_price": "t:lotData/t:commodityPrice", "unit_price_rub": "t:lotData/t:commodityPriceRub",
    "price_formula": "t:lotData/t:priceFormula", "sum_info": "t:lotData/t:initialSumInfo",
    **currency_paths("currency", "t:lotData/t:currency"),
    "exchange_rate": "t:lotData/t:exchangeInfo/t:exchangeRate",
    "exchange_date": "t:lotData/t:exchangeInfo/t:exchangeRateDate",
    "address": "t:lotData/t:deliveryPlace/t:address",
    "subject_old": "t:subject", "initial_sum_old": "t:initialSum",
    **currency_paths("currency_old", "t:currency"),
    "address_old": "t:deliveryPlace", "address_old_2": "t:deliveryPlace/t:address",
    "plan_number": "t:lotPlanInfo/t:planRegistrationNumber",
    "plan_position": "t:lotPlanInfo/t:positionNumber", "joint": "t:jointLotData/t:jointLot",
}
LOT_CUSTOMER = {  # lots/lot/jointLotData/lotCustomers/lotCustomer: one customer's part of a joint lot
    "name": "t:customerInfo/t:fullName", "inn": "t:customerInfo/t:inn", "kpp": "t:customerInfo/t:kpp",
    "foreign_name": "t:nonResidentInfo/t:name", "foreign_code": "t:nonResidentInfo/t:code",
    "initial_sum": "t:lotCustomerData/t:initialSum", "max_price": "t:lotCustomerData/t:maxContractPrice",
    **currency_paths("currency", "t:lotCustomerData/t:currency"),
    "address": "t:lotCustomerData/t:deliveryPlace/t:address",
    "plan_number": "t:lotPlanInfo/t:planRegistrationNumber",
    "plan_position": "t:lotPlanInfo/t:positionNumber",
}
LOT_ITEM = {  # lotData/lotItems/lotItem (lotItems/lotItem in the 2012-2014 schema)
    "guid": "t:guid", "qty": "t:qty", "info": "t:additionalInfo",
    "okpd2_code": "t:okpd2/t:code", "okpd2_name": "t:okpd2/t:name", "okdp_code": "t:okdp/t:code",
    "okdp_name": "t:okdp/t:name", "okved2_code": "t:okved2/t:code", "okved2_name": "t:okved2/t:name",
    "okved_code": "t:okved/t:code", "okved_name": "t:okved/t:name", "okei_code": "t:okei/t:code",
    "okei_name": "t:okei/t:name", "unit_price": "t:commodityItemPrice",
    "address": "t:deliveryPlace/t:address",
}
PROTOCOL = {  # purchaseProtocol<X>Data
    "notice_number": "d:purchaseInfo/t:purchaseNoticeNumber", "name": "d:purchaseInfo/t:name",
    "method_code": "d:purchaseInfo/t:purchaseMethodCode", "method": "d:purchaseInfo/t:purchaseCodeName",
    "published": "d:publicationDateTime", "type": "d:type", "type_name": "d:typeName",
    "procedure_date": "d:procedureDate", "sign_date": "d:protocolSignDate", "missed": "d:missedContest",
    "missed_reason": "d:missedReason",
}
PROTOCOL_LOT = {  # protocolLotApplications/lot, or protocolLotApplications itself (PAEP, OSZ, ZK, RZ…)
    "number": "d:ordinalNumber", "subject": "d:subject", **currency_paths("currency", "d:currency"),
    "initial_sum": "d:initialSum", "max_price": "d:maxContractPrice", "unit_price": "d:commodityPrice",
    "sum_info": "d:initialSumInfo",
}
LOT_PARAMETERS = {  # protocolLotApplications/lotParameters: the currency of the offers
    **currency_paths("offer_currency", "d:lotParameters/d:currency"),
    "non_price": "d:lotParameters/d:nonPrice",
}
# protocolLotApplications/application. The participant is supplierInfo (a Russian person: type L or P) or
# nonResidentInfo (foreign: its own identification number and country). The result is winnerIndication
# (F/W = winner; in the ZK protocol's own type F is "offered the winner's price" and only W is the winner),
# or applicationPlace (F = winner), else only a rank (applicationRate, rating).
APPLICATION = {
    "number": "d:applicationNumber", "date": "d:applicationDate", "price": "d:price",
    "last_price": "d:lastPrice", "price_info": "d:priceInfo",
    **currency_paths("currency", "d:currency"), "accepted": "d:accepted",
    "accepted_2": "d:considerationResultInfo/d:accepted", "winner": "d:winnerIndication",
    "place": "d:applicationPlace", "rate": "d:applicationRate", "rating": "d:rating",
    "reason": "d:rejectionReason", "reason_2": "d:considerationResultInfo/d:rejectionReason",
    "contract_signed": "d:contractSigned",
    "name": "d:supplierInfo/t:name", "inn": "d:supplierInfo/t:inn", "kpp": "d:supplierInfo/t:kpp",
    "ogrn": "d:supplierInfo/t:ogrn", "type": "d:supplierInfo/t:type", "address": "d:supplierInfo/t:address",
    "nr_name": "d:nonResidentInfo/t:name", "nr_code": "d:nonResidentInfo/t:code",
    "nr_code_2": "d:nonResidentInfo/t:additionalCode", "nr_type": "d:nonResidentInfo/t:type",
    "nr_country": "d:nonResidentInfo/t:country/t:digitalCode",
    "nr_country_name": "d:nonResidentInfo/t:country/t:name", "nr_address": "d:nonResidentInfo/t:address",
    "nr_info": "d:nonResidentInfo/t:info",
}
ACCOUNT = {  # purchaseContractAccountData
    "published": "d:publicationDateTime", "period": "d:period", "count": "d:contractsNumber",
    "cost": "d:contractsOverallCost", "currency": "d:currency/t:code", "type_code": "d:typeCode",
    "type_name": "d:typeDescription",
}
CONTRACT_DATA = {  # contractData
    "contract_reg_number": "d:contractRegNumber", "number": "d:name", "subject": "d:subjectContract",
    "published": "d:publicationDate", "signed": "d:contractDate", "lot_number": "d:lotNum",
    "notice_number": "d:purchaseNoticeInfo/d:purchaseNoticeNumber",
    "notice_name": "d:purchaseNoticeInfo/d:name",
    "method_code": "d:purchaseTypeInfo/d:code", "method": "d:purchaseTypeInfo/d:name", "price": "d:price",
    "rub_price": "d:rubPrice", "exchange_rate": "d:exchangeRate", "exchange_date": "d:exchangeRateDate",
    **currency_paths("currency", "d:currency"), "start": "d:startExecutionDate", "end": "d:endExecutionDate",
    "plan_number": "d:planPosition/t:planRegistrationNumber",
    "plan_position": "d:planPosition/t:positionNumber", "notice44": "d:notice44Num",
}
SUPPLIER = {  # contractData/supplierInfo
    "name": "d:name", "short_name": "d:shortName", "inn": "d:inn", "kpp": "d:kpp", "ogrn": "d:ogrn",
    "code": "d:code", "code_2": "d:additionalCode", "type": "d:type", "sole_trader": "d:individual",
    "non_resident": "d:nonResident", "self_employed": "d:selfEmployed",
    "region_full_name": "d:address/d:region/d:fullName", "region_name": "d:address/d:region/d:name",
    "country_code": "d:address/d:country/t:digitalCode", "country_name": "d:address/d:country/t:name",
}
POSITION = {  # contractPositions/contractPosition
    "guid": "d:guid", "name": "d:name", "qty": "d:qty", "okpd2_code": "d:okpd2/t:code",
    "okpd2_name": "d:okpd2/t:name", "okpd_code": "d:okpd/t:code", "okpd_name": "d:okpd/t:name",
    "okdp_code": "d:okdp/t:code", "okdp_name": "d:okdp/t:name",
    "okei_code": "d:okei/t:code", "okei_name": "d:okei/t:name", "unit_price": "d:unitPrice",
    **currency_paths("currency", "d:currency"), "undefined": "d:impossibleToDetermineAttr",
    "kind": "d:typeObjectPurchase",
}
PERFORMANCE = {  # performanceContractData
    "contract_reg_number": "d:contractRegNumber", "published": "d:publicationDate",
    "completed": "d:completed", "has_penalty": "d:hasPenalty", "number": "d:contractInfo/d:name",
    "supplier_name": "d:contractInfo/d:supplierName", "subject": "d:contractInfo/d:lotInfo",
    "signed": "d:contractInfo/d:contractDate", "total": "d:positions/d:total",
}
# Read on every …Data element in the same walk as its own fields and COMMON: the first element of the path
# (``first``), or every element of the path (``every``, in document order).
DATA_FIRST = {
    "@customer": "d:customer/t:mainInfo", "@placer": "d:placer/t:mainInfo",
    "@reg_number": "d:registrationNumber", "@guid": "d:guid",
    # purchaseContractData: the customer's fields straight in customerInfo; the supplier, or a non-resident
    "@customer_info": "d:customerInfo", "@supplier": "d:supplier/t:mainInfo",
    "@non_resident": "d:nonResidentInfo",
}
DATA_EVERY = {
    "@documents": "d:attachments/t:document", "@lots": "d:lots/t:lot",  # every …Data; notice data
    "@lot_apps": "d:lotApplicationsList/d:protocolLotApplications",  # protocol data
    "@lot_apps_vk": "d:lotApplicationsList/d:protocolVKLotApplications",  # purchaseProtocolVK
    "@suppliers": "d:supplierInfo", "@positions": "d:contractPositions/d:contractPosition",  # contract data
    "@payments": "d:positions/d:position",  # performanceContractData
    "@cancelled_lots": "d:cancelledLots/d:cancelledLot",  # purchaseLotCancellationData
    "@contract_items": "d:contractItems/d:contractItem",  # purchaseContractData (fields: LOT_ITEM)
    "@contract_years": "d:longTermContractVolumes/d:details/d:longTermContractVolumeDetail",  # contractData
}
YEAR_VOLUME = {"year": "d:year", "sum": "d:summ"}  # contract longTermContractVolumes/details/…Detail
# notice lots/lot: its items (both schemas) and the customers of a joint lot
LOT_EVERY = {"@items": "t:lotData/t:lotItems/t:lotItem", "@items_old": "t:lotItems/t:lotItem",
             "@customers": "t:jointLotData/t:lotCustomers/t:lotCustomer"}
LOT_CUSTOMER_EVERY = {"@items": "t:lotCustomerData/t:lotItems/t:lotItem"}
# protocolLotApplications: its lot (whose fields PROTOCOL_LOT reads; PAEP has none) and applications
LOT_APPS_FIRST = {"@lot": "d:lot"}
LOT_APPS_EVERY = {"@applications": "d:application"}
PAYMENT_EVERY = {"@docs": "d:docs/d:doc"}  # positions/position
PAYMENT = {"date": "d:paymentDate", "price": "d:price", "currency": "d:currency/t:code"}  # positions/position
PAYMENT_DOC = {  # position/docs/doc
    "date": "d:date", "name": "d:name", "number": "d:number", "qty": "d:qty",
    "position_name": "d:contractPosition/d:name", "okpd2_code": "d:contractPosition/d:okpd2/t:code",
    "okpd2_name": "d:contractPosition/d:okpd2/t:name", "okei_code": "d:okei/t:code",
    "okei_name": "d:okei/t:name",
}

# --- purchase contracts of the purchase schema and cancellations (``other``) -------------------
PURCHASE_CONTRACT = {  # purchaseContractData: a contract published with its purchase (the 2012-2014 way)
    "name": "d:name", "published": "d:publicationDateTime", "created": "d:contractCreateDate",
    "lot_subject": "d:lot/t:subject", **currency_paths("currency", "d:currency"), "sum": "d:sum",
    "sum_info": "d:sumInfo", "fulfillment": "d:fulfillmentDate",
    "notice_number": "d:purchaseInfo/t:purchaseNoticeNumber", "notice_name": "d:purchaseInfo/t:name",
    "method_code": "d:purchaseInfo/t:purchaseMethodCode", "method": "d:purchaseInfo/t:purchaseCodeName",
    "address": "d:deliveryPlace/t:address",
}
PARTY = {  # supplierMainInfoType (supplier/mainInfo) and nonResidentInfoType, both of the types namespace
    "name": "t:name", "inn": "t:inn", "kpp": "t:kpp", "ogrn": "t:ogrn", "type": "t:type",
    "address": "t:address",
    "code": "t:code", "code_2": "t:additionalCode", "country": "t:country/t:digitalCode", "info": "t:info",
}
REJECTION = {  # purchaseRejectionData: the purchase is called off
    "notice_number": "d:cancelNoticeRegistrationNumber", "name": "d:name",
    "method_code": "d:purchaseMethodCode",
    "method": "d:purchaseCodeName", "published": "d:publicationDateTime", "date": "d:rejectionDate",
    "reason": "d:causeForRejection",
}
LOT_CANCELLATION = {  # purchaseLotCancellationData: lots of a purchase are cancelled
    "notice_number": "d:purchaseInfo/t:purchaseNoticeNumber", "name": "d:purchaseInfo/t:name",
    "method_code": "d:purchaseInfo/t:purchaseMethodCode", "method": "d:purchaseInfo/t:purchaseCodeName",
    "published": "d:publicationDateTime", "date": "d:cancelDate", "reason": "d:description",
}
CANCELLED_LOT = {
    "number": "d:ordinalNumber", "subject": "d:subject", "date": "d:cancellation/t:cancelDate",
    "reason": "d:cancellation/t:cancelInfo",
}
PROTOCOL_CANCELLATION = {  # protocolCancellationData: a protocol is withdrawn
    "notice_number": "d:purchaseInfo/t:purchaseNoticeNumber", "name": "d:purchaseInfo/t:name",
    "method_code": "d:purchaseInfo/t:purchaseMethodCode", "method": "d:purchaseInfo/t:purchaseCodeName",
    "published": "d:publicationDateTime", "protocol_number": "d:protocolInfo/d:registrationNumber",
    "protocol_type_name": "d:protocolInfo/d:typeName", "date": "d:cancellationDate",
    "reason": "d:cancellationReason",
}
CONTRACT_CANCELLATION = {  # contractCancellationData: a contract is terminated
    "contract_reg_number": "d:contractRegNumber", "published": "d:publicationDate",
    "number": "d:contractInfo/d:name", "supplier_name": "d:contractInfo/d:supplierName",
    "subject": "d:contractInfo/d:lotInfo", "signed": "d:contractInfo/d:contractDate",
    "reason_code": "d:baseContractCancellationCode", "reason": "d:baseContractCancellationName",
    "date": "d:completionDate", "cancel_reason": "d:cancelReason",
}
