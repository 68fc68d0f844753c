-- ID numbers are shown with the province and city and the check character only
-- (`1101*************X`): the masks stored before also showed the sequence number.
UPDATE volunteers
SET id_number_masked = substr(id_number_masked, 1, 4) || '*************' || substr(id_number_masked, 18, 1)
WHERE length(id_number_masked) = 18;
